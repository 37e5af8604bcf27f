// Small behaviours of ordinary forms, kept out of the templates (the Content-Security-Policy allows no
// inline handler): a <select data-autosubmit> submits its form when the choice changes. Without
// JavaScript the form's own button (in <noscript>) does the same.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.dataset.autosubmit !== undefined && field.form) {
    field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
  }
});
