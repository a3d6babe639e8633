"""What people say when they mean a goal family: data for the goal scorer (advisor/goals.py).

Cues are plain phrases matched on word stems ("sign-ups", "signing up" and
"signup" all match "sign up"), so inflections and hyphenation need no entries.
Weights: 3 names the goal outright, 2 is a strong hint, 1 a weak one that only
counts next to others. Written from the domain (DOMAIN.md, the knowledge base,
how marketers talk), family by family, not from any evaluation set.

Decisions recorded here (README, "How the advisor understands questions"):
- sign-ups of any kind (newsletter, email list, webinar, free trial, waitlist,
  app installs, ebook downloads) are leads: a person identified by a conversion.
- hiring / employer brand is brand health: how candidates perceive the company
  (net sentiment), not how many see it.
- customer retention and loyalty are community and care: existing customers kept
  by being answered well.
- ticket sales and subscriptions bought online are e-commerce.
"""

from __future__ import annotations

__all__ = ["GOAL_CUES", "SCENARIOS", "NEUTRALISERS", "OWN_STEMS"]

GOAL_CUES: dict[str, dict[str, float]] = {
    "awareness": {
        "awareness": 3, "aware": 2, "brand awareness": 3, "visibility": 3, "visible": 2, "invisible": 3,
        "exposure": 3, "top of funnel": 3, "tofu": 2, "top of mind": 3, "discover us": 3, "discovered": 2,
        "discoverability": 3, "get discovered": 3, "get seen": 3, "be seen": 3, "being seen": 3, "seen by": 2,
        "seeing us": 3, "seeing our": 2, "see us": 2, "get noticed": 3, "noticed": 2, "heard of": 3,
        "never heard": 3, "know who we are": 3, "know we exist": 3, "knows we exist": 3, "know us": 3,
        "know about us": 3, "knows about us": 3, "know about our": 2, "name out": 3, "get our name": 3,
        "new audience": 3, "new audiences": 3, "new eyes": 3, "fresh eyes": 3, "in front of": 2, "radar": 3,
        "reach more": 3, "reach new": 3, "extend our reach": 3, "our reach": 2, "wider audience": 3,
        "broader audience": 3, "bigger audience": 2, "more people see": 3, "people seeing": 2, "get known": 3,
        "be known": 3, "known there": 3, "become known": 3, "brand recognition": 3, "recognition": 2,
        "spread the word": 3, "word out": 3, "eyeballs": 3, "new market": 2, "new markets": 2, "launch": 1,
        "launching": 1, "sponsor": 1, "sponsoring": 1, "grow our audience": 2, "audience growth": 2,
        "grow followers": 2, "gain followers": 2, "more followers": 2, "follower growth": 2, "nobody knows": 3,
        "no one knows": 3, "unknown": 1, "awarness": 3, "mindshare": 3, "mind share": 3, "know our": 2, "know the brand": 3, "more people": 1, "share of voice": 2,
        "impressions": 1, "views": 1, "reach": 1, "known": 1, "famous": 2, "buzz": 1, "recall": 0,
    },
    "engagement": {
        "engagement": 3, "engage": 3, "engaging": 3, "engaged audience": 3, "resonance": 3, "resonate": 3,
        "resonating": 3, "interact": 3, "interaction": 3, "interactions": 3, "react": 3, "reacting": 3,
        "reactions": 2, "likes and comments": 3, "comments and shares": 3, "save and share": 3, "saves": 2,
        "shares": 2, "comments": 2, "connect with": 2, "connects with": 2, "vibe with": 3, "land with": 3,
        "lands with": 3, "land": 1, "enjoy": 2, "enjoys": 2, "love our content": 3, "like our content": 3,
        "likes our": 2, "content quality": 3, "creative quality": 3, "good content": 3, "content is good": 3,
        "content is any good": 3, "content works": 3, "content performance": 3, "which posts": 2,
        "best posts": 2, "top posts": 2, "post performance": 3, "posts perform": 3, "flop": 3, "flopped": 3,
        "hit": 1, "scroll past": 3, "scrolled past": 3, "scrolling past": 3, "conversation": 2, "convo": 2, "spark convo": 3, "spark conversation": 3, "feel dead": 3,
        "conversations": 2, "chatting": 2, "discussion": 2, "discussions": 2, "excitement": 2, "excited": 1,
        "hype": 1, "fanbase": 2, "fans": 1, "superfans": 2, "audience that reacts": 3, "ama": 2, "amas": 2,
        "memes": 1, "meme": 1, "useful enough": 2, "keep them": 1, "bookmark": 2, "creative": 1, "content": 1,
        "posts": 1, "reels": 1, "carousels": 1, "clips": 1, "videos": 1, "podcast": 1, "live streams": 1,
        "interested in our posts": 3, "pay attention": 2, "care about our posts": 3, "care about our content": 3,
        "into our content": 3, "into our posts": 3, "shouting into the void": 3, "dead": 1, "likes": 1,
        "liking": 1, "commenting": 2, "sharing": 2, "audience cares": 3, "actually care": 2, "resonat": 3,
    },
    "traffic": {
        "traffic": 3, "website": 3, "web site": 3, "site": 2, "blog": 3, "click": 2, "clicks": 3,
        "clicking": 3, "click through": 3, "link in bio": 3, "link": 2, "links": 2, "tap the link": 3,
        "landing page": 3, "landing pages": 3, "visits": 2, "visitors": 3, "visiter": 3, "sessions": 3,
        "readers": 3, "articles": 2, "article": 2, "docs": 2, "drive people to": 3, "send people": 3,
        "sending people": 3, "onto the website": 3, "to our site": 3, "to the site": 3, "content hub": 3,
        "web visits": 3, "page views": 2, "pageviews": 2, "donation page": 3, "swipe up": 3, "utm": 2,
        "outbound": 2, "referral": 2, "referrals": 2, "off platform": 2, "to our store": 1, "to our app": 0,
    },
    "leads": {
        "lead": 3, "leads": 3, "lead gen": 3, "lead generation": 3, "mql": 3, "mqls": 3, "sqls": 3,
        "pipeline": 3, "demand gen": 3, "demand generation": 3, "demand": 2, "demo": 3, "demos": 3,
        "sign up": 3, "signups": 3, "signup": 3, "register": 3, "registration": 3, "registrations": 3,
        "webinar": 3, "webinars": 3, "newsletter": 3, "email list": 3, "mailing list": 3, "subscribers": 1,
        "email": 2, "emails": 2, "email addresses": 3, "ebook": 3, "e book": 3, "lead magnet": 3, "gated": 3,
        "whitepaper": 3, "white paper": 3, "download": 2, "downloads": 2, "downloading": 2, "install": 3,
        "installs": 3, "app store": 2, "trial": 3, "trials": 3, "free trial": 3, "waitlist": 3, "wait list": 3,
        "beta": 2, "prospects": 3, "prospect": 3, "prospective": 3, "sales team": 2, "sdr": 3, "sdrs": 3,
        "opportunities": 2, "opportunity": 2, "deals": 2, "b2b": 3, "saas": 2, "contact requests": 3,
        "contact request": 3, "contact form": 3, "request info": 3, "request information": 3, "inbound": 2,
        "sales calls": 3, "booked meetings": 3, "book a call": 3, "book a demo": 3, "meetings": 1,
        "sales cycle": 3, "enterprise": 1, "talk to sales": 3, "software": 1, "sales prospects": 3, "crm": 3, "hubspot": 3, "salesforce": 3, "conversion": 2,
        "conversions": 2, "convert": 2, "converting": 2, "sign ups": 3, "contact us": 1, "accounts in": 0,
        "signing up": 3, "subscribe": 1, "enrol": 2, "enroll": 2, "applications": 1, "admissions": 2,
    },
    "ecommerce": {
        "ecommerce": 3, "e commerce": 3, "ecom": 3, "shop": 3, "shopify": 3, "etsy": 3, "tiktok shop": 3,
        "online store": 3, "online shop": 3, "store": 1, "sell": 2, "selling": 2, "sells": 2, "shoppers": 3, "shopper": 3, "browse": 2, "browsing": 2, "sold": 2,
        "sales": 2, "revenue": 2, "buy": 3, "buying": 3, "buys": 3, "purchase": 3, "purchases": 3,
        "purchasing": 3, "checkout": 3, "orders": 2, "order": 1, "add to cart": 3, "cart": 3, "product": 2,
        "products": 2, "product page": 3, "product pages": 3, "product discovery": 3, "product videos": 3,
        "shoppable": 3, "dtc": 3, "d2c": 3, "direct to consumer": 3, "retail": 3, "retailer": 3, "merch": 3,
        "move stock": 3, "stock": 1, "inventory": 2, "units": 2, "new collection": 3, "collection": 2,
        "drop": 1, "unboxing": 3, "catalog": 1, "sku": 3, "skus": 3, "ticket sales": 3, "tickets": 1,
        "ticket purchases": 3, "subscription box": 3, "first orders": 3, "customers buy": 3, "basket": 3,
        "aov": 3, "roas": 0, "coupon": 2, "discount code": 3, "promo code": 3, "affiliate": 2, "brand": 0,
        "skincare": 1, "jewellery": 1, "jewelry": 1, "fashion": 1, "sneaker": 1, "candles": 1, "amazon": 2,
        "moving units": 3, "sales from": 3,
    },
    "local": {
        "local": 3, "locals": 3, "locally": 3, "nearby": 3, "near me": 3, "neighbourhood": 3,
        "neighborhood": 3, "in the area": 3, "our area": 3, "our town": 3, "our city": 3, "in town": 3,
        "town": 2, "city": 1, "walk in": 3, "walk ins": 3, "foot traffic": 3, "phone ringing": 3,
        "phone to ring": 3, "calls": 2, "call us": 3, "phone calls": 3, "booking": 3, "bookings": 3,
        "booked": 2, "appointments": 3, "appointment": 3, "reservations": 3, "reservation": 3,
        "tables booked": 3, "table bookings": 3, "quote": 3, "quotes": 3, "quote requests": 3, "inquiries": 3,
        "enquiries": 3, "inquiry": 3, "enquiry": 3, "clinic": 2, "dental": 2, "dentist": 2, "physio": 2,
        "salon": 2, "gym": 2, "yoga studio": 2, "studio": 1, "restaurant": 2, "cafe": 2, "bakery": 2,
        "plumber": 2, "plumbing": 2, "electrician": 2, "roofing": 2, "roofer": 2, "landscaping": 2,
        "contractor": 2, "car repair": 2, "repair shop": 2, "mechanic": 2, "real estate": 2, "realtor": 2,
        "law firm": 2, "lawyer": 2, "solicitor": 2, "wedding photographer": 2, "photographer": 1,
        "practice": 1, "patients": 2, "service business": 3, "local business": 3, "nextdoor": 3,
        "facebook group": 1, "serious enquiries": 3, "serious inquiries": 3, "visitors to our shop": 2,
        "classes": 1, "class bookings": 3, "customers in our area": 3, "people nearby": 3, "vet": 2,
        "hair": 1, "barber": 2, "florist": 2, "tradesman": 2, "trades": 1, "home services": 3,
    },
    "community": {
        "support": 3, "customer support": 3, "customer service": 3, "customer care": 3, "social care": 3,
        "care team": 3, "care desk": 3, "cx": 3, "complaints": 3, "complaint": 3, "complain": 3,
        "respond": 3, "responding": 3, "response": 2, "responses": 2, "reply": 3, "replies": 3, "replying": 3,
        "answer": 2, "answering": 3, "answered": 2, "unanswered": 3, "dms": 2, "messages": 2, "message us": 3,
        "messages us": 3, "msg us": 3, "msgs": 2, "msg": 2, "feel heard": 3, "handles comments": 3,
        "handle comments": 3, "questions from": 2, "community mgmt": 3, "tweet at us": 3, "reach out": 1, "tickets": 2, "support tickets": 3,
        "questions": 1, "product questions": 3, "mods": 3, "moderators": 3, "moderation": 3, "retention": 3,
        "retain": 3, "churn": 3, "keep customers": 3, "existing customers": 3, "customers happy": 3,
        "loyalty": 2, "loyal customers": 3, "taken care of": 3, "left hanging": 3, "response time": 3,
        "how fast": 2, "helpdesk": 3, "help desk": 3, "outage": 3, "is down": 2, "community management": 3,
        "community manager": 3, "community": 1, "get back to": 3, "handle": 1, "handling": 1, "inbox": 2,
        "service desk": 3, "escalations": 3, "resolve": 2, "resolved": 2, "resolution": 2, "waiting": 1,
        "care": 1,
    },
    "brand_health": {
        "brand health": 3, "sentiment": 3, "reputation": 3, "reputational": 3, "perception": 3,
        "perceived": 3, "perceive": 3, "how people feel": 3, "feel about us": 3, "feel about the brand": 3,
        "talk about us": 3, "talking about us": 3, "talks about us": 3, "say about us": 3, "mood": 3,
        "public opinion": 3, "opinion": 2, "trust": 3, "trust us": 3, "brand image": 3, "image": 2,
        "employer brand": 3, "employer branding": 3, "as an employer": 3, "hiring": 2, "recruiting": 2,
        "recruitment": 2, "candidates": 2, "talent": 2, "crisis": 3, "backlash": 3, "controversy": 3,
        "scandal": 3, "pr": 2, "layoffs": 2, "recall": 2, "rebrand": 1, "hated": 3, "hate": 2, "love us": 3,
        "liked or hated": 3, "negative": 2, "positive": 1, "mentions": 1, "word of mouth": 1, "advocacy": 2,
        "advocates": 2, "goodwill": 3, "brand love": 3, "likes us": 2, "boycott": 3, "shitstorm": 3,
        "internet likes us": 3, "public": 1, "feel about": 2,
    },
    "efficiency": {
        "efficiency": 3, "efficient": 3, "productivity": 3, "productive": 3, "output": 3, "throughput": 3,
        "velocity": 3, "cadence": 3, "posting schedule": 3, "schedule": 2, "post often enough": 3,
        "posting enough": 3, "publishing enough": 3, "post enough": 3, "how often": 2, "how much content": 3,
        "content we ship": 3, "ship": 2, "shipping": 2, "content production": 3, "production": 2,
        "per person": 2, "workload": 3, "capacity": 2, "team of": 1, "one person": 2, "freelancers": 2,
        "consistency": 3, "consistent": 2, "consistently": 2, "missing our": 1, "on time": 2,
        "content calendar": 3, "publishing": 2, "posts per week": 3, "volume of posts": 3, "frequency": 2,
        "posting frequency": 3, "time spent": 2, "hours": 1, "resources": 1, "turnaround": 3, "cycle time": 3,
    },
}

# Situations whose KPI differs from the family's default primary (knowledge/docs/scenario-*.md).
# goal family, primary KPI, suggested breakdown, cues.
SCENARIOS: dict[str, dict[str, object]] = {
    "b2b_authority": {
        "goal": "engagement", "kpi": "save_rate", "by": "topic",
        "title": "B2B authority (thought leadership)",
        "cues": {"thought leadership": 3, "thought leader": 3, "thought leaders": 3, "authority": 3,
                 "expert": 2, "experts": 3, "expertise": 3, "credibility": 3, "credible": 2, "go to source": 3,
                 "go to account": 3, "learn from": 2, "industry voice": 3, "subject matter": 2, "trusted voice": 3,
                 "trusted advisor": 3},
    },
}

# Words the stemmer folds onto another goal's word: kept apart ("leading" is not "lead",
# "productivity" is not "product").
OWN_STEMS: dict[str, str] = {
    "leading": "leading", "lagging": "lagging", "productivity": "productiv", "productive": "productiv",
    "production": "production", "productions": "production", "marketing": "marketing",
    "engineers": "engineer", "engineering": "engineering", "generally": "general", "generic": "generic",
}

# Phrases that contain a cue without meaning it ("we care about X" is not customer care).
NEUTRALISERS: tuple[str, ...] = (
    "lead the", "take the lead", "leads to", "lead to", "led to",
    "care about", "cares about", "caring about", "don t care", "dont care", "take care of the",
    "support the sales", "support sales", "support our launch", "answer that", "answers that",
    "in the answer", "sales team says", "seen as", "be seen as", "show up", "report to", "report on", "hit the", "hit our",
)
