// Rating forms: show only the tags of the chosen level (without JavaScript all are shown and the
// server refuses a tag of another level with a clear message).
document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form")) {
    const groups = form.querySelectorAll(".tags-for");
    if (!groups.length) continue;
    const update = () => {
      const chosen = form.querySelector('input[name="score"]:checked');
      for (const group of groups) {
        const show = chosen && group.dataset.level === chosen.value;
        group.hidden = !show;
        if (!show) for (const box of group.querySelectorAll("input")) box.checked = false;
      }
    };
    form.addEventListener("change", (event) => { if (event.target.name === "score") update(); });
    update();
  }
});
