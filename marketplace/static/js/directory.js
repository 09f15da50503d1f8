// The directory's search page: when it says "more than N" suppliers (a common word at
// national scale), the exact count is fetched apart and put in its place.
(function () {
  const count = document.querySelector("#nombre-resultats[data-count-url]");
  if (!count) return;
  fetch(count.dataset.countUrl, {headers: {"Accept": "application/json"}})
    .then((response) => (response.ok ? response.json() : null))
    .then((body) => {
      if (!body || typeof body.total !== "number") return;
      const figure = document.createElement("strong");
      figure.textContent = body.total.toLocaleString("fr-FR");
      count.replaceChildren(figure, " structures");
      count.dataset.exact = "true";
    })
    .catch(() => {});  // the page keeps "more than N"
})();
