"""What people say when they mean a goal family: data for the goal scorer (advisor/goals.py).

Cues are plain phrases matched on word stems ("sign-ups", "signing up" and
"signup" all match "sign up"), so inflections and hyphenation need no entries.
Weights: 3 names the goal outright, 2 is a strong hint, 1 a weak one that only
counts next to others. Written from the domain (DOMAIN.md, the knowledge base,
how marketers talk), family by family, not from any evaluation set. The issue-9
follow-up's additions were prompted by failures on development sets (dev4, dev5)
and written as the family-level concept behind each failure (foot traffic in
other words, programs that borrow audiences, emotions about the brand), never
the failing phrase alone. ``CONTEXT_CUES`` marks which cues say who or where the
team is rather than what it wants (see advisor/goals.py).

Decisions recorded here (README, "How the advisor understands questions"):
- sign-ups of any kind (newsletter, email list, webinar, free trial, waitlist,
  app installs, ebook downloads) are leads: a person identified by a conversion.
- creator, influencer, ambassador and employee-advocacy programs are awareness:
  they borrow other people's audiences to be seen.
- hiring / employer brand is brand health: how candidates perceive the company
  (net sentiment), not how many see it.
- customer retention and loyalty are community and care: existing customers kept
  by being answered well.
- ticket sales, subscriptions bought online and online donations are e-commerce
  (a transaction on a page social sends people to).
"""

from __future__ import annotations

from typing import TypedDict

__all__ = ["CONTEXT_CUES", "GOAL_CUES", "NEUTRALISERS", "SHARED_OBJECTIVES", "OWN_STEMS", "SCENARIOS", "Scenario"]

GOAL_CUES: dict[str, dict[str, float]] = {
    "awareness": {
        "awareness": 3, "aware": 2, "brand awareness": 3, "visibility": 3, "visible": 2, "invisible": 3,
        "exposure": 3, "top of funnel": 3, "top funnel": 3, "upper funnel": 3, "tofu": 2, "top of mind": 3, "discover us": 3, "discovered": 2,
        "discoverability": 3, "get discovered": 3, "get seen": 3, "be seen": 3, "being seen": 3, "seen by": 2,
        "seeing us": 3, "seeing our": 2, "seen": 2, "see us": 2, "get noticed": 3, "noticed": 2, "heard of": 3,
        "never heard": 3, "hear about": 3, "find out about": 3, "learn about us": 3, "hear of": 3, "hears about": 3, "know who we are": 3, "know we exist": 3, "knows we exist": 3, "know us": 3,
        "know about us": 3, "knows about us": 3, "know about our": 2, "name out": 3, "get our name": 3,
        "new audience": 3, "new audiences": 3, "new eyes": 3, "fresh eyes": 3, "in front of": 2, "radar": 3,
        "reach more": 3, "reach new": 3, "extend our reach": 3, "our reach": 2, "wider audience": 3,
        "broader audience": 3, "bigger audience": 2, "more people see": 3, "people seeing": 2, "get known": 3,
        "be known": 3, "known there": 3, "become known": 3, "brand recognition": 3, "recognition": 2,
        "spread the word": 3, "word out": 3, "eyeballs": 3, "new market": 2, "new markets": 2, "launch": 1,
        "launching": 1, "sponsor": 1, "sponsoring": 1, "grow our audience": 2, "audience growth": 2,
        "grow followers": 2, "gain followers": 2, "more followers": 2, "follower growth": 2, "nobody knows": 3,
        "no one knows": 3, "unknown": 1, "awarness": 3, "mindshare": 3, "mind share": 3, "know our": 2,
        "know the brand": 3, "more people": 1, "share of voice": 2, "impressions": 1, "views": 1, "reach": 1,
        "known": 1, "famous": 2, "buzz": 1, "recall": 0, "see our stuff": 2, "see our content": 2, "to follow": 1,
        "new circles": 3, "brand reach": 3, "residents to see": 3, "reach people": 2, "reach more people": 3,
        "reaching people": 2, "people reached": 2, "unaided": 2, "brand lift": 3, "brand search": 1, "footprint": 2,
        "presence": 2, "get the word out": 3, "put us on the map": 3, "on the map": 3, "word of the brand": 2,
        "introduce": 2, "introducing": 2, "new region": 2, "new country": 2, "expand into": 2, "expansion": 1,
        "grow the audience": 2, "audience size": 2, "seen more": 3, "eyes": 2, "more views": 2, "more eyes": 3, "eyes on": 3,
        "impressions up": 2, "stand out": 2, "share of attention": 3, "attention": 1, "noticeable": 2,
        "household name": 3, "brand building": 2,
        # programs that borrow other people's audiences to be seen (creators, staff, ambassadors)
        "employee advocacy": 3, "staff advocacy": 3, "creator program": 3, "creator programme": 3,
        "influencer program": 3, "influencer programme": 3, "influencer marketing": 3, "influencers": 2,
        "influencer": 2, "creators": 2, "ambassador program": 3, "ambassadors": 2, "ambassador": 2, "build the brand": 2, "build our brand": 2,
    },
    "engagement": {
        "engagement": 3, "engage": 3, "engaging": 3, "engaged audience": 3, "resonance": 3, "resonate": 3,
        "resonating": 3, "interact": 3, "interaction": 3, "interactions": 3, "react": 3, "reacting": 3,
        "reactions": 2, "likes and comments": 3, "comments and shares": 3, "save and share": 3, "saves": 2,
        "shares": 2, "comments": 2, "connect with": 2, "connects with": 2, "relationship with": 2, "relationships with": 2, "vibe with": 3, "land with": 3,
        "lands with": 3, "land": 1, "enjoy": 2, "enjoys": 2, "love our content": 3, "like our content": 3,
        "likes our": 2, "content quality": 3, "creative quality": 3, "good content": 3, "content is good": 3,
        "content is any good": 3, "content works": 3, "content performance": 3, "which posts": 2, "best posts": 2,
        "top posts": 2, "post performance": 3, "posts perform": 3, "flop": 3, "flopped": 3, "hit": 1,
        "scroll past": 3, "scrolled past": 3, "scrolling past": 3, "conversation": 2, "convo": 2, "spark convo": 3,
        "spark conversation": 3, "feel dead": 3, "conversations": 2, "chatting": 2, "discussion": 2,
        "discussions": 2, "excitement": 2, "excited": 1, "hype": 1, "fanbase": 2, "fans": 1, "superfans": 2,
        "audience that reacts": 3, "ama": 2, "amas": 2, "memes": 1, "meme": 1, "useful enough": 2,
        "bookmark": 2, "creative": 1, "content": 1, "posts": 1, "reels": 1, "carousels": 1, "clips": 1, "videos": 1,
        "podcast": 1, "live streams": 1, "interested in our posts": 3, "pay attention": 2,
        "care about our posts": 3, "care about our content": 3, "into our content": 3, "into our posts": 3,
        "shouting into the void": 3, "dead": 1, "likes": 1, "liking": 1, "commenting": 2, "sharing": 2,
        "audience cares": 3, "actually care": 2, "resonat": 3, "into it": 2, "viewers are into": 3, "are into": 2,
        "live": 1, "landing": 1, "affinity": 2, "hitting with": 3, "hitting": 1, "swipe away": 3, "worth the design time": 1,
        "watch our": 1, "engagements": 2, "interesting": 1, "relatable": 2, "shareable": 2, "saveable": 2,
        "reposts": 2, "people reply": 3, "people comment": 3, "followers reply": 3, "audience replies": 3,
        "duets": 2, "stitches": 2, "quote post": 3, "quote tweet": 3, "retweets": 2, "replies to our posts": 2, "talk back": 2, "participate": 2,
        "participation": 2, "votes": 2, "involved": 2, "involvement": 2, "polls": 1, "ugc": 2, "user generated": 2, "community engagement": 3, "active audience": 3,
        "audience loves": 3, "people love": 2, "loved": 1, "likes comments": 3, "reactions to": 3,
        "quality of our content": 3, "best performing": 3, "top performing": 3, "worst performing": 3,
        "underperform": 2, "underperforming": 2, "what works": 2, "working content": 2, "creative testing": 3,
        "hooks": 2, "hook": 1, "storytelling": 1, "entertain": 2, "entertaining": 2, "educational content": 2,
        "valuable content": 2, "useful content": 2, "watch time": 1, "stop the scroll": 3, "thumb stopping": 3,
        "scroll stopping": 3, "attention span": 1,
    },
    "traffic": {
        "traffic": 3, "website": 3, "web site": 3, "site": 2, "blog": 3, "click": 2, "clicks": 3, "clicking": 3,
        "click through": 3, "link in bio": 3, "link": 2, "links": 2, "tap the link": 3, "landing page": 3,
        "landing pages": 3, "visits": 2, "visitors": 3, "sessions": 3, "readers": 3, "articles": 2,
        "article": 2, "docs": 2, "drive people to": 3, "send people": 3, "sending people": 3, "onto the website": 3,
        "to our site": 3, "to the site": 3, "content hub": 3, "web visits": 3, "page views": 2, "pageviews": 2,
        "swipe up": 3, "utm": 2, "outbound": 2, "referral": 2, "referrals": 2,
        "off platform": 2, "to our store": 1, "to our app": 0, "website visits": 3, "site visits": 3,
        "site traffic": 3, "web traffic": 3, "click throughs": 3, "click thru": 3, "linkclicks": 3,
        "link clicks": 3, "bio link": 3, "linktree": 3, "go to our site": 3, "visit our site": 3,
        "visit the site": 3, "visit our website": 3, "read more": 2, "read the article": 3, "full article": 3,
        "blog posts": 2, "seo": 1, "referral traffic": 3, "google analytics": 2, "ga4": 2, "sessions from": 3,
        "drive traffic": 3, "send traffic": 3, "knowledge base": 2, "help center": 2, "help centre": 2, "out of the app": 2, "off the platform": 2,
    },
    "leads": {
        "lead": 3, "leads": 3, "lead gen": 3, "lead generation": 3, "mql": 3, "mqls": 3, "sqls": 3, "pipeline": 3,
        "demand gen": 3, "demand generation": 3, "demand": 2, "demo": 3, "demos": 3, "sign up": 3, "signups": 3,
        "signup": 3, "register": 3, "registration": 3, "registrations": 3, "webinar": 3, "webinars": 3,
        "newsletter": 3, "email list": 3, "mailing list": 3, "subscriber list": 3, "substack": 3, "subscribers": 1, "email": 2, "emails": 2,
        "email addresses": 3, "ebook": 3, "e book": 3, "lead magnet": 3, "gated": 3, "whitepaper": 3,
        "white paper": 3, "download": 2, "downloads": 2, "downloading": 2, "install": 3, "installs": 3,
        "app store": 2, "trial": 3, "trials": 3, "free trial": 3, "waitlist": 3, "wait list": 3, "beta": 2,
        "prospects": 3, "prospect": 3, "prospective": 3, "sales team": 2, "sdr": 3, "sdrs": 3, "opportunities": 2,
        "opportunity": 2, "deals": 2, "b2b": 3, "saas": 2, "contact requests": 3, "contact request": 3,
        "contact form": 3, "request info": 3, "request information": 3, "inbound": 2, "sales calls": 3,
        "booked meetings": 3, "book a call": 3, "book a demo": 3, "meetings": 1, "sales cycle": 3, "enterprise": 1,
        "talk to sales": 3, "software": 1, "sales prospects": 3, "crm": 3, "hubspot": 3, "salesforce": 3,
        "conversion": 2, "conversions": 2, "convert": 2, "converting": 2, "sign ups": 3, "contact us": 1,
        "accounts in": 0, "signing up": 3, "subscribe": 1, "enrol": 2, "enroll": 2, "applications": 1,
        "admissions": 2, "workshop": 2, "workshops": 2, "wishlist": 3, "wishlists": 3, "petition": 3, "sign our": 3,
        "supporters": 1, "consultation": 1, "trial accounts": 3, "sellers to register": 3, "attendees": 1,
        "generate leads": 3, "lead flow": 3, "inquiries from businesses": 2, "rfp": 3, "rfps": 3,
        "quote requests from companies": 2, "book demos": 3, "demo requests": 3, "sales qualified": 3, "sql": 2,
        "marketing qualified": 3, "opt in": 3, "opt ins": 3, "optin": 3, "subscribe to our newsletter": 3,
        "subscriptions to the newsletter": 3, "sign ups for": 3, "registrants": 3, "rsvp": 3, "rsvps": 3,
        "event registrations": 3, "webinar attendees": 3, "downloads of": 2, "app downloads": 3, "installs of": 3,
        "account creation": 3, "create an account": 3, "accounts created": 3, "onboarding": 1, "activation": 1,
        "freemium": 2, "conversion to trial": 3, "partners": 1, "recruit partners": 2, "donors": 1, "volunteers": 2,
        "applicants": 1, "form fills": 3, "form submissions": 3, "fill out": 2, "filling out": 2,
        "gated content": 3,
    },
    "ecommerce": {
        "ecommerce": 3, "e commerce": 3, "ecom": 3, "shop": 3, "shopify": 3, "etsy": 3, "tiktok shop": 3,
        "online store": 3, "online shop": 3, "store": 1, "sell": 2, "selling": 2, "sells": 2, "shoppers": 3,
        "shopper": 3, "browse": 2, "browsing": 2, "sold": 2, "sales": 2, "revenue": 2, "buy": 3, "buying": 3,
        "buys": 3, "purchase": 3, "purchases": 3, "purchasing": 3, "checkout": 3, "orders": 2, "order": 1,
        "add to cart": 3, "cart": 3, "product": 2, "products": 2, "product page": 3, "product pages": 3,
        "product discovery": 3, "product videos": 3, "shoppable": 3, "dtc": 3, "d2c": 3, "direct to consumer": 3,
        "retail": 3, "retailer": 3, "merch": 3, "move stock": 3, "stock": 1, "inventory": 2, "units": 2,
        "new collection": 3, "collection": 2, "drop": 1, "unboxing": 3, "catalog": 1, "sku": 3, "skus": 3,
        "ticket sales": 3, "ticket purchases": 3, "subscription box": 3, "first orders": 3,
        "customers buy": 3, "basket": 3, "aov": 3, "roas": 0, "coupon": 2, "discount code": 3, "promo code": 3,
        "affiliate": 2, "brand": 0, "skincare": 1, "jewellery": 1, "jewelry": 1, "fashion": 1, "sneaker": 1,
        "candles": 1, "amazon": 2, "moving units": 3, "sales from": 3, "online course": 3, "course business": 3,
        "preorders": 3, "pre orders": 3, "prints": 1, "sell our": 3, "conversion rate on the shop": 3,
        "online sales": 3, "e shop": 3, "webshop": 3, "web shop": 3, "add to bag": 3, "bag": 1, "transactions": 3,
        "transaction": 2, "buyers": 3, "customers buying": 3, "shoppable posts": 3, "instagram shopping": 3,
        "live shopping": 3, "product tags": 3, "product tag": 3, "sell out": 3, "sold out": 2, "restock": 2,
        "bestsellers": 3, "best sellers": 3, "products page": 3, "product views": 3, "cart abandonment": 3,
        "ecommerce sales": 3, "gmv": 3, "average order": 3, "order value": 3, "repeat purchases": 2, "buy now": 3,
        "merchandise": 3, "apparel": 1, "cosmetics": 1, "beauty brand": 1, "furniture": 1, "books": 1,
        "tickets sold": 3, "sell tickets": 3, "revenue from social": 3, "donation page": 3, "donations": 3,
        "donate": 3,
    },
    "local": {
        "local": 3, "locals": 3, "locally": 3, "nearby": 3, "near me": 3, "neighbourhood": 3, "neighborhood": 3,
        "in the area": 3, "our area": 3, "our town": 3, "our city": 3, "in town": 3, "town": 2, "city": 1,
        "walk in": 3, "walk ins": 3, "walk into": 3, "into our store": 3, "into the store": 3, "into our shop": 3,
        "through the door": 3, "through our doors": 3, "foot traffic": 3, "phone ringing": 3, "phone to ring": 3, "calls": 2,
        "call us": 3, "phone calls": 3, "booking": 3, "bookings": 3, "booked": 2, "appointments": 3,
        "appointment": 3, "reservations": 3, "reservation": 3, "tables booked": 3, "table bookings": 3, "quote": 3,
        "quotes": 3, "quote requests": 3, "inquiries": 3, "enquiries": 3, "inquiry": 3, "enquiry": 3, "clinic": 2,
        "dental": 2, "dentist": 2, "physio": 2, "salon": 2, "gym": 2, "yoga studio": 2, "studio": 1,
        "restaurant": 2, "cafe": 2, "bakery": 2, "plumber": 2, "plumbing": 2, "electrician": 2, "roofing": 2,
        "roofer": 2, "landscaping": 2, "contractor": 2, "car repair": 2, "repair shop": 2, "mechanic": 2,
        "real estate": 2, "realtor": 2, "law firm": 2, "lawyer": 2, "solicitor": 2, "wedding photographer": 2,
        "photographer": 1, "practice": 1, "patients": 2, "service business": 3, "local business": 3, "nextdoor": 3,
        "facebook group": 1, "serious enquiries": 3, "serious buyers": 3, "serious inquiries": 3,
        "visitors to our shop": 2, "classes": 1, "class bookings": 3, "customers in our area": 3,
        "people nearby": 3, "vet": 2, "hair": 1, "barber": 2, "florist": 2, "tradesman": 2, "trades": 1,
        "home services": 3, "taproom": 3, "come to the": 2, "come to our": 2, "come by": 2, "direct bookings": 3, "free consultation": 2,
        "kitchen renovations": 2, "county": 2, "membership signups": 2, "new patients": 3, "sites": 0,
        "visits to the store": 3, "store visits": 3, "in store": 3, "in person": 2, "footfall": 3, "directions": 3,
        "get directions": 3, "map views": 3, "google business": 2, "google maps": 2, "nearby customers": 3,
        "local customers": 3, "local clients": 3, "our neighbourhood": 3, "book a table": 3,
        "book an appointment": 3, "book appointments": 3, "calls to the": 3, "phone enquiries": 3,
        "phone inquiries": 3, "call the shop": 3, "estimate requests": 3, "estimates": 2, "service area": 3,
        "suburb": 3, "village": 2, "region": 1, "hvac": 2, "pest control": 2, "cleaning service": 2, "daycare": 2,
        "nursery": 1, "spa": 2, "massage": 2, "tattoo": 2, "chiropractor": 2, "optician": 2, "pharmacy": 2,
        "bar": 1, "pub": 2, "hotel": 2, "b&b": 2, "tour": 1, "tours": 1, "venue": 2, "dealership": 2,
        "car dealer": 2, "franchise": 2, "branches": 2, "branch": 1,
    },
    "community": {
        "support": 3, "customer support": 3, "customer service": 3, "customer care": 3, "social care": 3,
        "care team": 3, "care desk": 3, "cx": 3, "complaints": 3, "complaint": 3, "complain": 3, "respond": 3,
        "responding": 3, "response": 2, "responses": 2, "reply": 3, "replies": 3, "replying": 3, "answer": 2,
        "answering": 3, "answered": 2, "unanswered": 3, "dms": 2, "messages": 2, "message us": 3, "for help": 2, "asking for help": 3, "waiting for help": 3, "messages us": 3, "write us": 3, "write to us": 3, "writes to us": 3,
        "msg us": 3, "msgs": 2, "msg": 2, "feel heard": 3, "handles comments": 3, "handle comments": 3,
        "questions from": 2, "community mgmt": 3, "tweet at us": 3, "reach out": 1,
        "support tickets": 3, "questions": 1, "product questions": 3, "mods": 3, "moderators": 3, "moderation": 3,
        "retention": 3, "retain": 3, "churn": 3, "cancellations": 3, "keep customers": 3, "existing customers": 3, "customers happy": 3,
        "loyalty": 2, "loyal customers": 3, "taken care of": 3, "left hanging": 3, "response time": 3,
        "how fast": 2, "helpdesk": 3, "help desk": 3, "outage": 3, "is down": 2, "community management": 3,
        "community manager": 3, "community": 1, "get back to": 3, "handle": 1, "handling": 1, "inbox": 2,
        "service desk": 3, "escalations": 3, "resolve": 2, "resolved": 2, "resolution": 2, "waiting": 1, "care": 1,
        "churn after": 3, "keep them": 1, "speed of our": 2, "support team": 3, "handled": 1,
        "customer experience": 3, "customer satisfaction": 3, "csat": 3, "nps": 2, "first response": 3,
        "reply faster": 3, "respond faster": 3, "answer faster": 3, "response speed": 3, "reply speed": 3,
        "time to reply": 3, "waiting for a reply": 3, "wait for a reply": 3, "get ignored": 3, "feel ignored": 3,
        "being ignored": 3, "left on read": 3, "left on seen": 3, "uninstall": 3,
        "uninstalls": 3, "stick around": 3, "stay with us": 3, "hanging": 2, "queries": 2, "customer questions": 3,
        "questions from customers": 3, "issue": 1, "issues": 1, "problems": 1, "help people": 2,
        "helping customers": 3, "social listening": 1, "forum": 2, "members": 2, "member": 1,
        "membership community": 2, "community members": 3, "keep customers happy": 3, "loyal": 1, "renewals": 3,
        "repeat customers": 2, "existing users": 3, "our users": 1, "user questions": 3, "troubleshoot": 3,
        "bug reports": 3,
    },
    "brand_health": {
        "brand health": 3, "sentiment": 3, "reputation": 3, "reputational": 3, "perception": 3, "perceived": 3,
        "perceive": 3, "how people feel": 3, "how people see": 3, "see us as": 3, "sees us as": 3, "feel about us": 3, "feel about the brand": 3, "talk about us": 3,
        "talking about us": 3, "talks about us": 3, "say about us": 3, "mood": 3, "public opinion": 3, "opinion": 2,
        "trust": 3, "trust us": 3, "brand image": 3, "image": 1, "employer brand": 3, "employer branding": 3,
        "as an employer": 3, "hiring": 2, "recruiting": 2, "recruitment": 2, "candidates": 2, "talent": 2,
        "crisis": 3, "backlash": 3, "controversy": 3, "scandal": 3, "pr": 2, "layoffs": 2, "recall": 2,
        "rebrand": 1, "hated": 3, "hate": 2, "love us": 3, "liked or hated": 3, "negative": 2, "positive": 1,
        "mentions": 1, "word of mouth": 1, "advocacy": 2, "advocates": 2, "goodwill": 3, "brand love": 3,
        "likes us": 2, "boycott": 3, "shitstorm": 3, "internet likes us": 3, "public": 1, "feel about": 2,
        "like our brand": 3, "like the brand": 3, "love the brand": 3, "feel good about": 3, "feel better about": 3,
        "happy place": 2, "dumpster fire": 3, "toxic": 2, "apology": 2, "sustainability campaign": 1,
        "reputation as an employer": 3, "reaction to": 2, "public reaction": 3, "brand sentiment": 3, "sentiment around": 3, "the vibe around": 3,
        "vibe around": 3, "what people think": 3, "people think of us": 3, "think about us": 3,
        "views of the brand": 3, "negativity": 3, "criticism": 3, "complaining about us": 2, "bad press": 3,
        "press": 1, "headlines": 2, "media coverage": 2, "credibility of the brand": 3, "brand perception": 3,
        "favourability": 3, "mocking": 2, "mocked": 2, "making fun of": 3, "ridicule": 2, "dislike": 2, "like or dislike": 3, "dragged": 2, "storm": 2, "tone": 2, "about our brand": 2, "about the brand": 2, "rumours": 3, "rumors": 3, "rumour": 3, "rumor": 3, "gossip": 2, "angry": 2, "upset": 2, "furious": 2, "annoyed": 2, "frustrated": 2, "favorability": 3, "likeability": 3, "fans vs haters": 3, "haters": 3, "trolls": 2,
        "cancel": 2, "cancelled": 2, "canceled": 2, "employer": 2, "employees": 1, "workplace": 2, "glassdoor": 3,
        "talent brand": 3, "job seekers": 3, "jobs": 1, "careers": 2, "hiring brand": 3, "esg": 2, "values": 1,
        "purpose": 1, "stakeholders": 1,
    },
    "efficiency": {
        "efficiency": 3, "efficient": 3, "productivity": 3, "productive": 3, "output": 3, "throughput": 3,
        "velocity": 3, "cadence": 3, "posting schedule": 3, "schedule": 2, "post often enough": 3,
        "posting enough": 3, "publishing enough": 3, "post enough": 3, "how often": 2, "how much content": 3,
        "content we ship": 3, "ship": 2, "shipping": 2, "content production": 3, "production": 2, "per person": 2,
        "workload": 3, "capacity": 2, "team of": 1, "one person": 2, "freelancers": 2, "consistency": 3,
        "consistent": 2, "consistently": 2, "missing our": 1, "on time": 2, "content calendar": 3, "publishing": 2,
        "posts per week": 3, "post daily": 3, "post every day": 3, "posting daily": 3, "volume of posts": 3, "frequency": 2, "posting frequency": 3, "time spent": 2,
        "hours": 1, "resources": 1, "turnaround": 3, "cycle time": 3, "produce enough": 3, "enough content": 3,
        "produce": 2, "output sustainable": 3, "sustainable": 1, "posting volume": 3, "regularly": 2, "ghosting": 2,
        "ghosting our feed": 3, "every week": 1, "content volume": 3, "number of posts": 2, "posts per": 3,
        "per week": 1, "per month": 1, "deadlines": 2, "behind schedule": 3, "backlog": 3, "bandwidth": 3,
        "headcount": 2, "team size": 2, "small team": 2, "overworked": 3, "burnout": 3, "time to publish": 3,
        "approval": 2, "approvals": 2, "workflow": 3, "process": 1, "repurpose": 2, "repurposing": 2, "batch": 2,
        "automation": 2, "roi of our time": 3, "effort": 2, "hours spent": 3, "cost per post": 3, "budget": 1,
        "agency output": 3,
    },
}

# Who and where the team is, not what it wants: business types, places, product kinds, content formats.
# They decide the family when the question states no objective ("dental clinic here, which KPI?") and
# only break ties when it does ("people in our city don't know we exist" is awareness, not local).
CONTEXT_CUES: dict[str, tuple[str, ...]] = {
    "engagement": ("content", "posts", "reels", "carousels", "clips", "videos", "podcast", "live streams", "memes",
                   "meme", "creative", "ama", "amas", "polls"),
    "leads": ("b2b", "saas", "software", "enterprise"),
    "ecommerce": ("skincare", "jewellery", "jewelry", "fashion", "sneaker", "candles", "apparel", "cosmetics",
                  "beauty brand", "furniture", "books", "prints", "shopify", "etsy", "amazon", "dtc", "d2c",
                  "direct to consumer", "retail", "retailer", "online store", "online shop", "e shop", "webshop",
                  "web shop", "course business", "store", "shop"),
    "local": ("local", "locally", "clinic", "dental", "dentist", "physio", "salon", "gym", "yoga studio", "studio", "restaurant", "cafe",
              "bakery", "plumber", "plumbing", "electrician", "roofing", "roofer", "landscaping", "contractor",
              "car repair", "repair shop", "mechanic", "real estate", "realtor", "law firm", "lawyer", "solicitor",
              "wedding photographer", "photographer", "practice", "service business", "local business", "town",
              "city", "our town", "our city", "in town", "vet", "hair", "barber", "florist", "tradesman", "trades",
              "home services", "taproom", "kitchen renovations", "county", "suburb", "village", "region", "hvac",
              "pest control", "cleaning service", "daycare", "nursery", "spa", "massage", "tattoo", "chiropractor",
              "optician", "pharmacy", "bar", "pub", "hotel", "b&b", "tour", "tours", "venue", "dealership",
              "car dealer", "franchise", "branches", "branch", "classes"),
    "efficiency": ("team of", "one person", "small team", "freelancers", "headcount", "team size"),
}

# Objectives two kinds of business share: a quote, an inquiry or a call is local demand for a plumber
# and a lead for a software company; an order is e-commerce for a web shop and local demand for a bakery.
# They go to the second family when the question gives its context and not the first's; otherwise they
# stay where GOAL_CUES puts them.
SHARED_OBJECTIVES: dict[tuple[str, str], tuple[str, ...]] = {  # (family in GOAL_CUES, family it goes to)
    ("local", "leads"): ("quote", "quotes", "quote requests", "inquiries", "enquiries", "inquiry", "enquiry",
                         "calls", "call us", "phone calls", "appointments", "appointment", "booked"),
    ("leads", "local"): ("lead", "leads", "contact requests", "contact request", "contact form", "consultation",
                         "contact us"),
    ("ecommerce", "local"): ("orders", "order"),  # a local bakery's orders are local demand
}

# Situations whose KPI differs from the family's default primary (knowledge/docs/scenario-*.md).
# goal family, primary KPI, suggested breakdown, cues.
class Scenario(TypedDict):
    goal: str
    kpi: str
    by: str
    title: str
    cues: dict[str, float]


SCENARIOS: dict[str, Scenario] = {
    "b2b_authority": {
        "goal": "engagement", "kpi": "save_rate", "by": "topic",
        "title": "B2B authority (thought leadership)",
        "cues": {"thought leadership": 3, "thought leader": 3, "thought leaders": 3, "authority": 3,
                 "expert": 2, "experts": 3, "expertise": 3, "credibility": 3, "credible": 2, "go to source": 3,
                 "go to account": 3, "learn from": 2, "industry voice": 3, "subject matter": 2, "trusted voice": 3,
                 "trusted advisor": 3, "come back to": 2, "reference voice": 3, "leading voice": 3, "the go to": 2, "the reference": 2},
    },
}

# Words the stemmer folds onto another goal's word: kept apart ("leading" is not "lead",
# "productivity" is not "product").
OWN_STEMS: dict[str, str] = {
    "leading": "leading", "lagging": "lagging", "productivity": "productiv", "productive": "productiv",
    "production": "production", "productions": "production", "marketing": "marketing",
    "engineers": "engineer", "engineering": "engineering", "generally": "general", "generic": "generic",
    # one stem for two families' words: "conversation" is not "conversion", "books" are not "bookings",
    # a "supporter" is not "support", a post "landing" is not a landing page
    "conversion": "conversion", "conversions": "conversion", "books": "books", "supporter": "supporter",
    "supporters": "supporter", "landing": "landing", "reaction": "reaction", "reactions": "reactions",
    "locals": "locals",  # the people (a goal), not the adjective (context)
    # bookings are local demand; to book (a demo, a call) belongs to what is booked
    "bookings": "bookings",
    "calls": "calls",  # phone calls, not "can we call that a win"
    # map directions are not a creative direction; a consultancy is not a consultation; cancelling a
    # subscription is churn, not being cancelled
    "directions": "directions", "consultancy": "consultancy", "consultancies": "consultancy",
    "cancelling": "cancellation", "canceling": "cancellation", "cancellation": "cancellation",
    "cancellations": "cancellation",
}

# Phrases that contain a cue without meaning it ("we care about X" is not customer care).
NEUTRALISERS: tuple[str, ...] = (
    "keep an eye on", "an eye on", "eye on our", "eye on the",
    "lead the", "take the lead", "leads to", "lead to", "led to",
    "care about", "cares about", "caring about", "don t care", "dont care", "take care of the",
    "support the sales", "support sales", "support our launch", "answer that", "answers that",
    "in the answer", "sales team says", "seen as", "be seen as", "show up", "report to", "report on", "hit the", "hit our",
    # how the team wants to be perceived is positioning, not being seen ("known as a thought leader")
    "known as", "be known as",
    # the path, not the goal ("contact us after seeing our posts")
    "after seeing", "after they see", "after watching",
)
