// Fair pages: the scheduler run's progress, print buttons, the "move a meeting" form.
// Loaded as a file: the Content-Security-Policy allows no inline script.
(function () {
  const run = document.querySelector("[data-run-status]");
  if (run) {
    const step = document.getElementById("run-step");
    const bar = document.getElementById("run-bar");
    (function poll() {
      fetch(run.dataset.runStatus, {headers: {"Accept": "application/json"}})
        .then((response) => response.json())
        .then((status) => {
          step.textContent = status.step;
          bar.style.width = status.progress + "%";
          bar.textContent = status.progress + " %";
          if (status.status === "done" || status.status === "failed") {
            window.location.reload();
          } else {
            setTimeout(poll, 1500);
          }
        })
        .catch(() => setTimeout(poll, 3000));
    })();
  }
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
  const move = document.querySelector("[data-move-form]");
  if (move) {
    move.addEventListener("submit", () => {
      move.action = move.dataset.moveForm.replace("/0/", "/" + move.elements.meeting.value + "/");
    });
  }
})();
