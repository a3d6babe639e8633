"""Words people type for KPIs, goals, platforms, periods and intents.

Data for the deterministic parser. Phrases are matched on normalised text
(lowercase, punctuation folded to spaces) at word boundaries, longest first.
"""

from __future__ import annotations

__all__ = [
    "KPI_PATTERNS",
    "KPI_PHRASES",
    "GOAL_WORDS",
    "PLATFORM_WORDS",
    "DIMENSION_WORDS",
    "PERIOD_PATTERNS",
    "INTENT_CUES",
    "OFF_TOPIC",
    "OFF_TOPIC_STRONG",
]

# phrase -> KPI id (in addition to each catalog KPI's id, name and synonyms)
KPI_PHRASES: dict[str, str] = {
    "er": "engagement_rate",
    "eng rate": "engagement_rate",
    "engagement rate": "engagement_rate",
    "engagement rate by reach": "engagement_rate_by_reach",
    "er by reach": "engagement_rate_by_reach",
    "likes": "engagements",
    "like count": "engagements",
    "engagements": "engagements",
    "saves per 1k": "save_rate",
    "saves per 1k impressions": "save_rate",
    "saves per thousand": "save_rate",
    "saves per 1000": "save_rate",
    "save rate": "save_rate",
    "save rate per 1k": "save_rate",
    "shares per 1k": "share_rate",
    "shares per thousand": "share_rate",
    "shares per thousand impressions": "share_rate",
    "shares per 1000": "share_rate",
    "share rate": "share_rate",
    "comments per post": "comments_per_post",
    "watch time": "avg_watch_time",
    "avg watch time": "avg_watch_time",
    "average watch time": "avg_watch_time",
    "video completion": "video_completion_rate",
    "watch to the end": "video_completion_rate",
    "watched to the end": "video_completion_rate",
    "completion rate": "video_completion_rate",
    "video views": "video_views",
    "ctr": "click_through_rate",
    "click through": "click_through_rate",
    "click through rate": "click_through_rate",
    "click thru rate": "click_through_rate",
    "click thru": "click_through_rate",
    "click rate": "click_through_rate",
    "clickthrough rate": "click_through_rate",
    "engaged sessions": "engaged_sessions",
    "engaged session rate": "engaged_session_rate",
    "landing page conversion": "landing_conversion_rate",
    "landing conversion rate": "landing_conversion_rate",
    "leads": "leads",
    "mqls": "leads",
    "mql": "leads",
    "lead conversion rate": "lead_conversion_rate",
    "lead to opp rate": "lead_to_opportunity_rate",
    "lead to opp": "lead_to_opportunity_rate",
    "lead to opportunity": "lead_to_opportunity_rate",
    "lead to opportunity rate": "lead_to_opportunity_rate",
    "pipeline influenced": "pipeline_value",
    "pipeline value": "pipeline_value",
    "product page visits": "product_page_views",
    "product page views": "product_page_views",
    "product visits": "product_page_views",
    "pdp views": "product_page_views",
    "pdp visits": "product_page_views",
    "pdp": "product_page_views",
    "product conversion rate": "product_conversion_rate",
    "add to cart rate": "add_to_cart_rate",
    "add to cart": "add_to_cart_rate",
    "assisted conversions": "assisted_conversions",
    "social revenue": "revenue",
    "revenue": "revenue",
    "qualified inquiries": "qualified_inquiries",
    "qualified inquiry": "qualified_inquiries",
    "qualified enquiries": "qualified_inquiries",
    "inquiries": "inquiries",
    "inquiry qualification rate": "inquiry_qualification_rate",
    "inquiry win rate": "inquiry_win_rate",
    "median response time": "median_response_time",
    "median response": "median_response_time",
    "median reply time": "median_response_time",
    "response time": "median_response_time",
    "reply time": "median_response_time",
    "reply times": "median_response_time",
    "response times": "median_response_time",
    "time to first reply": "median_response_time",
    "first reply": "median_response_time",
    "time to reply": "median_response_time",
    "time to respond": "median_response_time",
    "first response time": "median_response_time",
    "p90 response time": "p90_response_time",
    "p90 response": "p90_response_time",
    "p90": "p90_response_time",
    "response rate": "response_rate",
    "reply rate": "response_rate",
    "resolution rate": "resolution_rate",
    "net sentiment": "net_sentiment",
    "sentiment": "net_sentiment",
    "brand mentions": "mention_volume",
    "mentions": "mention_volume",
    "mention volume": "mention_volume",
    "share of voice": "share_of_voice",
    "sov": "share_of_voice",
    "follower growth": "follower_growth_rate",
    "follower growth rate": "follower_growth_rate",
    "followers": "followers",
    "follower count": "followers",
    "impressions": "impressions",
    "reach": "reach",
    "posts published": "posts_published",
    "how many posts": "posts_published",
}

# KPIs named in looser words than a fixed phrase (checked when no phrase matches)
KPI_PATTERNS: list[tuple[str, str]] = [
    (r"\bvideos?\b.{0,40}\b(?:finish|finished|to the end)\b", "video_completion_rate"),
    (r"\b(?:finish|finished|complete)\b.{0,30}\bvideos?\b", "video_completion_rate"),
    (r"\bhow (?:fast|quickly) (?:we|do we|are we) (?:reply|respond|answer)", "median_response_time"),
]

# goal family -> {cue: weight}. Cues are word stems matched at word starts.
GOAL_WORDS: dict[str, dict[str, float]] = {
    "awareness": {
        "awareness": 3, "aware": 2, "visibility": 3, "visible": 2, "know our brand": 3, "know us": 3,
        "heard of us": 3, "name out": 3, "get seen": 2, "eyeballs": 2, "exposure": 2,
        "top of funnel": 2, "reach more": 2, "brand awareness": 3, "launching": 1, "new market": 1,
        "know we exist": 3, "top of mind": 3, "getting seen": 3, "be seen": 3, "new folks": 2,
        "new people": 2, "discover us": 3, "discovered": 2, "heard of": 2, "get noticed": 3,
    },
    "engagement": {
        "engagement": 3, "engage": 2, "resonance": 3, "resonate": 3, "vibe": 2, "cares": 1,
        "audience cares": 3, "flopped": 2, "flop": 2, "posts hit": 2, "shouting into the void": 3,
        "interaction": 2, "content performance": 2, "which posts": 1, "resonating": 3,
        "into our posts": 3, "into our content": 3, "react to": 2, "interact": 2,
    },
    "traffic": {
        "traffic": 3, "website": 2, "site": 2, "blog": 2, "click through": 2, "clicks": 2,
        "link in bio": 3, "links": 2, "landing page": 2, "visits to": 1, "drive people to": 2,
        "readers": 2, "send people": 2, "our way": 1, "to our site": 3, "to the site": 3,
    },
    "leads": {
        "lead gen": 3, "lead generation": 3, "leads": 3, "mqls": 3, "mql": 3, "pipeline": 3,
        "b2b": 3, "demo": 3, "demos": 3, "inbound": 2, "saas": 2, "cro": 1, "sales team": 2,
        "signups": 1, "sign ups": 1, "contact form": 3, "talk to sales": 3, "software": 2,
        "sales ready": 3, "sales calls": 2, "booked meetings": 3, "trials": 2,
    },
    "ecommerce": {
        "ecommerce": 3, "e commerce": 3, "ecom": 3, "shop": 2, "shopify": 3, "dtc": 3, "product": 2,
        "products": 2, "selling": 2, "sell": 2, "sales": 1, "purchases": 2, "checkout": 2,
        "retail": 2, "store": 1, "product discovery": 3, "product videos": 3, "move units": 3,
        "units": 2, "buy": 2, "orders": 1, "merch": 3, "drop": 1, "collection": 2, "line": 1,
    },
    "local": {
        "local": 3, "locals": 3, "nearby": 3, "in town": 2, "near me": 3, "quotes": 3, "quote": 2,
        "bookings": 3, "booking": 2, "appointments": 3, "phone ringing": 3, "calls": 2, "clinic": 2,
        "dental": 2, "roofing": 2, "gym": 2, "salon": 2, "restaurant": 2, "plumber": 2,
        "inquiries": 3, "enquiries": 3, "local service": 3, "call us": 3, "plumbing": 2,
        "electrician": 2, "contractor": 2, "walk ins": 3, "foot traffic": 3,
    },
    "community": {
        "community": 3, "customer care": 3, "care team": 3, "social care": 3, "support": 3,
        "customer service": 3, "complain": 2, "complaints": 2, "answers": 1, "respond": 2,
        "response": 2, "reply": 2, "replies": 2, "left hanging": 3, "messages us": 2, "handling": 1,
        "get back to people": 4, "get back to": 2, "handles comments": 3, "questions from": 2,
        "answer": 2, "answering": 2, "faster in the dms": 3,
    },
    "brand_health": {
        "brand health": 4, "sentiment": 3, "reputation": 3, "perceived": 3, "perception": 3,
        "how people feel": 3, "how ppl feel": 3, "feel about us": 3, "likes us": 2, "crisis": 2,
        "pr ": 1, "brand is perceived": 3, "feel better about us": 3, "feel about": 2, "trust": 2,
        "backlash": 3, "recall": 2,
    },
    "efficiency": {
        "efficiency": 3, "efficient": 3, "productivity": 3, "output": 3, "throughput": 3,
        "posting enough": 3, "how often": 2, "cadence": 2, "content ops": 3, "team of": 1,
        "posts per week": 2,
    },
}

PLATFORM_WORDS: dict[str, str] = {
    "instagram": "instagram", "insta": "instagram", "ig": "instagram",
    "tiktok": "tiktok", "tik tok": "tiktok", "tt": "tiktok",
    "linkedin": "linkedin",
    "facebook": "facebook", "fb": "facebook",
    "youtube": "youtube", "yt": "youtube",
    "twitter": "x",
}

# breakdown words -> dimension
DIMENSION_WORDS: dict[str, str] = {
    "platform": "platform", "platforms": "platform", "network": "platform", "networks": "platform",
    "channel": "platform", "channels": "platform",
    "account": "account", "accounts": "account", "profile": "account", "profiles": "account",
    "content type": "content_type", "content types": "content_type", "format": "content_type",
    "formats": "content_type", "post type": "content_type",
    "topic": "topic", "topics": "topic", "theme": "topic", "themes": "topic", "pillar": "topic",
    "campaign": "campaign", "campaigns": "campaign",
}

# regex over normalised text -> period id
PERIOD_PATTERNS: list[tuple[str, str]] = [
    (r"\b(\d{4} \d{2} \d{2}) (?:(?:to|until|through|and|from) )?(\d{4} \d{2} \d{2})\b", "{0}..{1}"),
    (r"\b(?:last|past|previous) (\d{1,3}) ?(?:days?|d)\b", "last_{0}_days"),
    (r"\b(?:last|past|previous) (\d{1,2}) ?(?:weeks?|wks?)\b", "last_{0}_weeks"),
    (r"\byesterday\b", "yesterday"),
    (r"\btoday\b", "today"),
    (r"\bthis (?:week|wk)\b", "this_week"),
    (r"\b(?:last|past|previous) (?:week|wk)\b", "last_week"),
    (r"\bweek before\b", "last_week"),
    (r"\b(?:mtd|month to date)\b", "month_to_date"),
    (r"\bthis month\b", "this_month"),
    (r"\b(?:last|past|previous) month\b", "last_month"),
    (r"\b(?:qtd|quarter to date)\b", "quarter_to_date"),
    (r"\bthis quarter\b", "this_quarter"),
    (r"\b(?:last|past|previous) quarter\b", "last_quarter"),
    (r"\b(?:ytd|year to date|this year)\b", "year_to_date"),
]

# intent -> regexes over normalised text
INTENT_CUES: dict[str, list[str]] = {
    "help": [
        r"^help\b", r"\bwhat can (?:you|u) do\b", r"\bhow do i use\b", r"\bwhat commands\b",
        r"\bhow does this (?:bot )?work\b", r"\bhow do (?:i|we) (?:get|set up|setup|subscribe|schedule)\b.*\b(?:digest|report|subscri)",
        r"\bcommands are there\b", r"\bwhat are you\b",
        r"\bwhat can (?:this bot|this thing|the bot|this|you|u) (?:even )?do\b",
        r"\bwhat (?:kinds? of |sort of )?(?:questions|things) can i ask\b", r"\bhow do i talk to (?:you|u)\b",
    ],
    "digest": [
        r"\bdigest\b", r"\bscorecard\b", r"\breport\b", r"\bweekly summary\b", r"\bmonthly summary\b",
        r"\bsummary for\b", r"\brecap\b", r"\bput together a\b", r"\bdraft (?:me )?(?:the|a)\b",
    ],
    "why": [
        r"\bwhy\b", r"\bwhat happened\b", r"\bwhat s going on\b", r"\bwhat drove\b",
        r"\bwhat (?:s|is) driving\b", r"\bdriving (?:that|this|it)\b", r"\bwhat happen\w*\b",
        r"\bwhat s up with\b", r"\bwhat s wrong with\b",
        r"\bwhat caused\b", r"\bdragged\b", r"\bwhat changed\b", r"\bexplain the (?:drop|spike|dip|jump)\b",
    ],
    "movement": [
        r"\b(?:drop|dropped|down|tank|tanked|spike|spiked|jump|jumped|fell|fall|fallen|dip|dipped|"
        r"slow|slower|flat|negative|up|rose|rise|increase|increased|decrease|decreased|declin\w*|awful|"
        r"terrible|bad|weird|off|low|high|"
        r"plummet\w*|surge\w*|cliff|worse|better|lately|change|changed|move|moved|shift\w*|swing\w*)\b",
    ],
    "explain_contrast": [r"\band not\b", r"\binstead of\b", r"\brather than\b", r"\bnot the\b"],
    "compare": [
        r"\bvs\b", r"\bversus\b", r"\bcompared? to\b", r"\bcompare\b", r"\bagainst last\b",
        r"\bthe (?:month|week|quarter) before\b", r"\bsame (?:month|week|quarter|period) last year\b",
        r"\byoy\b", r"\bbetter on\b", r"\bworse on\b", r"\bthan last\b", r"\bacross formats\b",
    ],
    "explain": [
        r"^(?:what s|whats|what is|what are) (?:a |an |the )?(?!our\b|my\b)", r"\bwhat does\b",
        r"\bmean\b", r"\bdefine\b", r"\bdefinition\b", r"\bexplain\b", r"\bhow is .* (?:calculated|computed|scored)\b",
        r"\bhow do (?:you|we|i) (?:calculate|compute)\b", r"\bformula\b", r"\bgood (?:kpi|metric)\b",
        r"\breal kpi\b", r"\bdiff(?:erence)? between\b", r"\bwhat counts as\b", r"\bhow does .* work\b",
        r"\bexactly\b", r"\bor nah\b", r"\btell us\b", r"\bis .* a (?:good|real|useful) (?:kpi|metric)\b",
        r"\bvs\b .*\bexplain\b", r"\bscored\b", r"\bhow it s computed\b",
        r"\w+ / \w+ or \w+", r"\bby \w+ or \w+\s*$",
    ],
    "recommend": [
        r"\bwhich (?:kpi|kpis|metric|metrics|number)\b", r"\bwhat (?:kpi|kpis|metric|metrics|number)\b",
        r"\bwhat should (?:we|i) (?:track|measure|use|watch|be measuring|look at)\b",
        r"\bwhat do we (?:track|measure)\b", r"\bhow (?:do|should|can) (?:we|i) (?:measure|track|show|prove|know)\b",
        r"\bbest (?:kpi|metric)\b", r"\bmain metric\b", r"\bthe kpi\b", r"\bkpi\b\s*\??$",
        r"\bwhere do i start\b", r"\bwhat to track\b", r"\btrack instead\b", r"\bmeasured on\b",
        r"\bshould be our\b", r"\bnorth star\b", r"\bthe right (?:social )?metric\b",
        r"\bkpi for\b", r"\bmetric tells\b", r"\bwhat s the metric\b", r"\bthe metric\b",
        r"\bwe want (?:more|to)\b", r"\bneed (?:more|social to)\b", r"\bhow do i know if\b",
        r"\bwhich kpi do we\b",
    ],
    "value_strong": [
        r"^(?:value|show|get|fetch)\b",
        r"\blooking like\b", r"\brn\b", r"\bright now\b", r"\bcurrently\b", r"\bhow s \w+(?: \w+)? doing\b",
        r"\bhow is \w+(?: \w+)? doing\b", r"\bhow s \w+(?: \w+)? looking\b", r"\bhows \w+(?: \w+)? (?:doing|looking)\b",
        r"\bhow (?:are|r) we doing\b",
    ],
    "value": [
        r"\bwhat s our\b", r"\bwhats our\b", r"\bwhat is our\b", r"\bhow many\b", r"\bhow much\b",
        r"\bhow s\b", r"\bhow is our\b", r"\bhow are we\b", r"\blooking like\b", r"\bshow me\b",
        r"\bcurrent\b", r"\bright now\b", r"\brn\b", r"\bdoing\b", r"^/?kpi\b", r"\bbroken down\b",
        r"\bpull up\b", r"\bgive me\b", r"\bnumbers?\b",
    ],
}

# unrelated whatever KPI words the question also contains
OFF_TOPIC_STRONG: list[str] = [
    r"\bpython\b", r"\bscript\b", r"\bjavascript\b", r"\bsql query\b", r"\bweather\b", r"\bjoke\b",
    r"\bcaptions?\b", r"\bhashtags?\b", r"\bpoem\b", r"\brecipe\b", r"\bscrape\b",
]

OFF_TOPIC: list[str] = [
    r"\bweather\b", r"\bjoke\b", r"\bcaption\b", r"\bhashtags?\b", r"\bcpc\b", r"\bbids?\b",
    r"\bbidding\b", r"\bad spend\b", r"\bretargeting\b", r"\broas\b", r"\bpython\b", r"\berror\b",
    r"\bscript\b", r"\bcode\b", r"\bgame\b", r"\brecipe\b", r"\bpoem\b", r"\bwho won\b",
    r"\bstock price\b", r"\btranslate\b", r"\bwrite me\b", r"\bwrite a\b",
]
