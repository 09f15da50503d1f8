// The payment page: the card field from Stripe.js, the charge on our server, 3-D Secure
// when the bank asks for it, then wait for the webhook to confirm the order.
(function () {
  const form = document.querySelector("[data-payment]");
  if (!form) return;
  const stripe = Stripe(form.dataset.key);
  const card = stripe.elements().create("card", {hidePostalCode: true});
  card.mount("#card-element");
  const button = document.getElementById("pay-button");
  const message = document.getElementById("payment-message");

  function say(text, kind) {
    message.textContent = text;
    message.className = "mb-2 text-" + (kind || "body");
  }

  async function waitUntilPaid() {
    for (let attempt = 0; attempt < 60; attempt++) {
      const response = await fetch(form.dataset.status, {headers: {"Accept": "application/json"}});
      const order = await response.json();
      if (order.paid) {
        say("Paiement confirmé. Merci !", "success");
        document.getElementById("order-status").textContent = order.label;
        setTimeout(() => window.location.reload(), 800);
        return;
      }
      if (order.status === "failed") {
        say(order.message, "danger");
        button.disabled = false;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    say("Paiement enregistré ; sa confirmation prend plus de temps que prévu. Vous recevrez un e-mail.", "warning");
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    say("Paiement en cours…");
    const {token, error} = await stripe.createToken(card);
    if (error) {
      say(error.message || "Carte invalide.", "danger");
      button.disabled = false;
      return;
    }
    const response = await fetch(form.dataset.pay, {
      method: "POST",
      headers: {"Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": form.dataset.csrf},
      body: JSON.stringify({card: token.card.id}),
    });
    const outcome = await response.json();
    if (!response.ok) {
      say(outcome.detail || "Le paiement n'a pas abouti.", "danger");
      button.disabled = false;
      return;
    }
    if (outcome.status === "requires_action") {
      const confirmation = await stripe.confirmCardPayment(outcome.client_secret);
      if (confirmation.error) {
        say("L'authentification de la carte a échoué. Aucun montant n'a été débité.", "danger");
        button.disabled = false;
        return;
      }
    }
    say("Paiement accepté, confirmation en cours…");
    waitUntilPaid();
  });
})();
