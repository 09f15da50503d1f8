"""The load benchmark: a realistic mix against the production profile (see README,
"Load benchmark"). Runs headless for a fixed time and prints requests per second and
p50/p95/p99 per request type:

    locust -f bench/load/locustfile.py --headless -u 40 -r 10 -t 3m --host http://127.0.0.1:8000

Accounts are the demo ones (`flask demo-data`); the login rate limit must be raised for
the run (LOGIN_RATE_LIMIT), since every simulated user logs in from 127.0.0.1.
Users are FastHttpUsers (geventhttpclient): on a 2-core machine that also serves the
platform, the load generator must take as little of the CPU as it can.
"""

import random
import re
from datetime import date, timedelta
from urllib.parse import urlencode

from locust import FastHttpUser, between, task

PASSWORD = "demo-inclusif-2026"
WORDS = ["nettoyage", "espaces verts", "traiteur", "recyclage", "blanchisserie", "conditionnement", "impression",
         "logistique", "bâtiment", "informatique", "Marseille", "Lyon", "Grasse", "Montpellier"]
SECTORS = ["nettoyage", "espaces-verts", "restauration", "dechets-papier", "conditionnement"]
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Visitor(FastHttpUser):
    """Anonymous: directory searches and supplier pages."""

    weight = 6
    wait_time = between(1, 3)

    @task(3)
    def search_page(self):
        self.client.get("/annuaire?" + urlencode({"q": random.choice(WORDS)}), name="/annuaire?q=")

    @task(3)
    def search_json(self):
        response = self.client.get("/annuaire/recherche.json?" + urlencode({
            "sector": random.choice(SECTORS), "page": random.randint(1, 3)}), name="/annuaire/recherche.json")
        if response.ok:
            items = response.json().get("items") or []
            if items:
                self.client.get(f"/annuaire/structures/{random.choice(items)['id']}", name="/annuaire/structures/<id>")

    @task(1)
    def fairs(self):
        self.client.get("/salons", name="/salons")


class Member(FastHttpUser):
    abstract = True
    email = ""

    def on_start(self):
        page = self.client.get("/connexion", name="/connexion")
        token = CSRF.search(page.text).group(1)
        self.client.post("/connexion", data={"email": self.email, "password": PASSWORD, "csrf_token": token},
                         name="/connexion [POST]")
        self.token = CSRF.search(self.client.get("/mot-de-passe-oublie", name="/csrf").text).group(1)

    def post_json(self, url: str, body: dict, name: str):
        return self.client.post(url, json=body, name=name, headers={"X-CSRFToken": self.token,
                                                                    "Accept": "application/json"})


class Buyer(Member):
    """Posts and edits needs, reads offers."""

    weight = 2
    wait_time = between(2, 5)
    email = "acheteur@demo.marche-inclusif.fr"

    def on_start(self):
        super().on_start()
        self.drafts = []

    def need(self) -> dict:
        return {"kind": "consultation", "title": f"Nettoyage de bureaux {random.randint(1, 10**6)}",
                "description": "Entretien hebdomadaire de 800 m² de bureaux.", "sectors": [1], "area": "france",
                "answer_mode": "platform", "deadline": (date.today() + timedelta(days=20)).isoformat() + "T12:00"}

    @task(2)
    def list_needs(self):
        self.client.get("/besoins", name="/besoins")

    @task(1)
    def post_draft(self):
        response = self.post_json("/besoins/nouveau", self.need(), name="/besoins/nouveau [POST]")
        if response.status_code == 201:
            self.drafts.append(response.json()["id"])

    @task(1)
    def edit_draft(self):
        if self.drafts:
            self.post_json(f"/besoins/{random.choice(self.drafts)}/modifier", self.need(),
                           name="/besoins/<id>/modifier [POST]")

    @task(2)
    def read_offers(self):
        page = self.client.get("/besoins", name="/besoins")
        ids = re.findall(r'href="/besoins/(\d+)"', page.text)
        if ids:
            self.client.get(f"/besoins/{random.choice(ids)}/offres", name="/besoins/<id>/offres")


class Supplier(Member):
    """Reads matched needs and sends (or revises) an offer."""

    weight = 2
    wait_time = between(2, 5)
    email = "fournisseur@demo.marche-inclusif.fr"

    @task(2)
    def opportunities(self):
        self.client.get("/opportunites", name="/opportunites")

    @task(1)
    def offer(self):
        page = self.client.get("/opportunites", name="/opportunites")
        link = None
        for need in re.findall(r'href="(/besoins/\d+[^"]*)"', page.text):
            need_page = self.client.get(need.replace("&amp;", "&"), name="/besoins/<id>")
            link = re.search(r'href="(/besoins/\d+/lots/\d+/offre[^"]*)"', need_page.text)
            if link:
                break
        if not link:
            return
        url = link.group(1).replace("&amp;", "&")
        form = self.client.get(url, name="/besoins/<id>/lots/<lot>/offre")
        answers = {qid: "Références sur demande." for qid in re.findall(r'name="answer_(\d+)"', form.text)}
        self.post_json(url, {"amount": str(random.randint(5000, 40000)), "vat_rate": 2000, "lead_time_days": 15,
                             "description": "Deux agents en insertion, encadrés par un chef d'équipe.",
                             "insertion_hours": 300, "answers": answers,
                             "valid_until": (date.today() + timedelta(days=60)).isoformat()},
                       name="/besoins/<id>/lots/<lot>/offre [POST]")


class Organiser(Member):
    """Runs the scheduler of the open fair now and then, and reviews its programme slot
    by slot meanwhile, and the requests it left out."""

    weight = 1
    fixed_count = 1
    wait_time = between(5, 15)
    email = "organisateur@demo.marche-inclusif.fr"
    fair = None

    def on_start(self):
        super().on_start()
        fairs = re.findall(r'href="/salons/(\d+)"', self.client.get("/salons", name="/salons").text)
        self.fair = max(int(f) for f in fairs) if fairs else None

    @task(1)
    def schedule(self):
        if self.fair is None:
            return
        with self.client.post(f"/salons/{self.fair}/programme/calculer", headers={
                "X-CSRFToken": self.token, "Accept": "application/json"}, name="/salons/<id>/programme/calculer [POST]",
                catch_response=True) as response:
            if response.status_code == 409:  # a run is already under way: the page says so
                response.success()

    @task(4)
    def review(self):
        if self.fair is not None:
            self.client.get(f"/salons/{self.fair}/programme?creneaux={random.randint(1, 30)}",
                            name="/salons/<id>/programme")

    @task(1)
    def left_out(self):
        if self.fair is not None:
            self.client.get(f"/salons/{self.fair}/programme/non-places?page={random.randint(1, 50)}",
                            name="/salons/<id>/programme/non-places")
