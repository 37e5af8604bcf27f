// Small behaviours of ordinary forms, kept out of the templates (the Content-Security-Policy allows no
// inline handler): a <select data-autosubmit> submits its form when the choice changes. Without
// JavaScript the form's own button (in <noscript>) does the same.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.dataset.autosubmit !== undefined && field.form) {
    field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
  }
});

// The booking picker's confirm bar names the chosen time (the radio's data-chosen); a new day's times
// (htmx swaps #slot-times) leave nothing chosen, and the bar says so again.
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.name !== "slot" || !input.dataset.chosen || !input.form) return;
  const bar = input.form.querySelector(".chosen");
  if (bar) bar.textContent = input.dataset.chosen;
});
document.addEventListener("htmx:afterSwap", (event) => {
  if (!(event.target instanceof HTMLElement) || event.target.id !== "slot-times") return;
  const bar = event.target.closest("form")?.querySelector(".chosen");
  if (bar instanceof HTMLElement) bar.textContent = bar.dataset.none || "";
});
