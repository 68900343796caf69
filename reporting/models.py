# Committee reports and appendices arrive with the reporting issue.
