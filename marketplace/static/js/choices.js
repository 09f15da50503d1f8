// Lists of several choices (select multiple), made usable without Ctrl: a click on a
// choice selects or removes it, a filter field narrows a long list as one types, and
// the choices made are listed under it (read out by screen readers). Without
// JavaScript the list still works as the browser's own.
(function () {
  "use strict";
  const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  let counter = 0;

  function enhance(select) {
    counter += 1;
    const id = select.id || `choix-${counter}`;
    select.id = id;
    const summary = document.createElement("p");
    summary.className = "form-text mt-1 mb-0";
    summary.id = `${id}-choisis`;
    summary.setAttribute("aria-live", "polite");
    select.insertAdjacentElement("afterend", summary);
    select.setAttribute("aria-describedby", [select.getAttribute("aria-describedby"), summary.id].filter(Boolean).join(" "));

    const show = () => {
      const chosen = Array.from(select.selectedOptions).map((option) => option.textContent.trim());
      summary.textContent = chosen.length ? `Choisi${chosen.length > 1 ? "s" : ""} : ${chosen.join(", ")}` : "Aucun choix pour l'instant.";
    };

    select.addEventListener("mousedown", (event) => {
      const option = event.target.closest("option");
      if (!option || option.disabled) return;
      event.preventDefault();  // no Ctrl needed: a click toggles this choice only
      const top = select.scrollTop;
      option.selected = !option.selected;
      select.focus();
      select.scrollTop = top;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    });
    select.addEventListener("change", show);

    if (select.options.length > 12) {
      const filter = document.createElement("input");
      filter.type = "search";
      filter.className = "form-control form-control-sm mb-1";
      filter.placeholder = "Filtrer la liste…";
      filter.setAttribute("aria-label", "Filtrer la liste suivante");
      filter.setAttribute("aria-controls", id);
      select.insertAdjacentElement("beforebegin", filter);
      filter.addEventListener("input", () => {
        const wanted = fold(filter.value.trim());
        for (const option of select.options) option.hidden = wanted !== "" && !fold(option.textContent).includes(wanted);
        for (const group of select.querySelectorAll("optgroup")) {
          group.hidden = Array.from(group.children).every((option) => option.hidden);
        }
      });
    }
    show();
  }

  document.querySelectorAll("select[multiple]").forEach(enhance);
})();
