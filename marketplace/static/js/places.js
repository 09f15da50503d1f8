// Communes suggested as one types, in any field marked data-communes ("one" or "many":
// several communes separated by commas). Suggestions come from /annuaire/communes.json
// and are written as the server reads them back: "Grasse (06)".
(function () {
  "use strict";
  let counter = 0;

  function enhance(input) {
    counter += 1;
    const list = document.createElement("datalist");
    list.id = `communes-${counter}`;
    input.insertAdjacentElement("afterend", list);
    input.setAttribute("list", list.id);
    input.setAttribute("autocomplete", "off");
    const many = input.dataset.communes === "many";
    let pending = null;
    let timer = null;

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const value = input.value;
        const cut = many ? value.lastIndexOf(",") + 1 : 0;
        const prefix = value.slice(0, cut) + (cut ? " " : "");
        const typed = value.slice(cut).trim();
        if (typed.length < 2) return;
        if (pending) pending.abort();
        pending = new AbortController();
        try {
          const response = await fetch(`/annuaire/communes.json?q=${encodeURIComponent(typed)}`,
                                       { signal: pending.signal, headers: { Accept: "application/json" } });
          if (!response.ok) return;
          const { items } = await response.json();
          list.replaceChildren(...items.map((commune) => {
            const option = document.createElement("option");
            option.value = `${prefix.replace(/\s+$/, " ")}${commune.name} (${commune.department})`;
            option.label = commune.postcodes.length ? `${commune.name} — ${commune.postcodes[0]}` : commune.name;
            return option;
          }));
        } catch (error) {
          if (error.name !== "AbortError") throw error;
        }
      }, 150);
    });
  }

  document.querySelectorAll("input[data-communes]").forEach(enhance);
})();
