"""The reporting app's pages, by what the clerk is doing: preparing a plan's appendix
(``appendices``), making and editing the layouts it is printed in (``layouts``), and writing a
committee report and publishing its pack (``reports``)."""
