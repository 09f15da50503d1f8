// Subscribing to the buyer plan: a card token from Stripe.js, the subscription on our server.
(function () {
  const form = document.querySelector("[data-plan]");
  if (!form) return;
  const stripe = Stripe(form.dataset.key);
  const card = stripe.elements().create("card", {hidePostalCode: true});
  card.mount("#card-element");
  const button = document.getElementById("pay-button");
  const message = document.getElementById("payment-message");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    message.textContent = "Souscription en cours…";
    const {token, error} = await stripe.createToken(card);
    if (error) {
      message.textContent = error.message || "Carte invalide.";
      button.disabled = false;
      return;
    }
    const response = await fetch(form.dataset.url, {
      method: "POST",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": form.dataset.csrf},
      body: JSON.stringify({plan: form.elements.plan.value, token: token.id}),
    });
    const outcome = await response.json();
    if (!response.ok) {
      message.textContent = outcome.detail || "La souscription n'a pas abouti.";
      button.disabled = false;
      return;
    }
    window.location.reload();
  });
})();
