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

// A material's preview opens on demand: <button data-preview="URL" aria-controls="SLOT"> puts the
// file's viewer (an <iframe> for a PDF) into the slot, and takes it away again. A page with many PDFs
// stays light (each viewer is a whole plug-in), and a viewer that is still starting never sits under
// the reader's next click. The button is hidden until this script shows it; without JavaScript the
// material's own link opens the file.
document.querySelectorAll("button[data-preview]").forEach((button) => {
  button.hidden = false;
});
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("button[data-preview]") : null;
  if (!(button instanceof HTMLButtonElement)) return;
  const slot = document.getElementById(button.getAttribute("aria-controls") || "");
  if (!slot) return;
  const open = button.getAttribute("aria-expanded") === "true";
  slot.replaceChildren();
  if (!open) {
    const viewer = document.createElement("iframe");
    viewer.className = "viewer";
    viewer.title = button.dataset.title || "";
    viewer.src = button.dataset.preview || "";
    slot.append(viewer);
  }
  button.setAttribute("aria-expanded", open ? "false" : "true");
  button.textContent = open ? button.dataset.open || "" : button.dataset.close || "";
});
