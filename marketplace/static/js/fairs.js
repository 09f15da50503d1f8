// Fair pages: the scheduler run's progress, print buttons, the "move a meeting" form,
// a big fair's participant fields (suggestions from the participants' catalogue).
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
  // A big fair's participant fields take a participant's number; typing a name asks the
  // catalogue for matching participants and offers them in the fields' shared datalist.
  document.querySelectorAll("[data-participant-suggestions]").forEach((input) => {
    const list = document.getElementById(input.getAttribute("list"));
    let timer = null;
    let asking = null;  // the request under way: a newer one replaces it, so late answers never win
    input.addEventListener("input", () => {
      clearTimeout(timer);
      const typed = input.value.trim();
      if (typed.length < 2 || /^[0-9]+$/.test(typed)) {
        return;
      }
      timer = setTimeout(() => {
        const url = new URL(input.dataset.participantSuggestions, window.location.href);
        url.searchParams.set("q", typed);
        if (asking) {
          asking.abort();
        }
        asking = new AbortController();
        fetch(url, {headers: {"Accept": "application/json"}, signal: asking.signal})
          .then((response) => response.json())
          .then((found) => {
            list.replaceChildren(...found.items.map((participant) => {
              const option = document.createElement("option");
              option.value = participant.id;
              option.textContent = participant.name + " (" + participant.role_label + ")";
              return option;
            }));
          })
          .catch(() => {});
      }, 200);
    });
  });
})();
