// GOV.UK Frontend's feature detection and start-up, kept out of the page so the Content
// Security Policy needs no inline script. Loaded as a module at the end of <body>: only browsers
// that run ES modules get 'govuk-frontend-supported', as GOV.UK's inline snippet would give them.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
