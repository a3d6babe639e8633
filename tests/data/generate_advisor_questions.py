"""Generate the templated advisor question sets (development and held-out).

    python tests/data/generate_advisor_questions.py   # rewrites advisor_gen_dev.yaml, advisor_gen_holdout.yaml

Templates x goal/KPI wordings x noise (typos, lowercase, Slack markup, emoji,
business preambles, non-native phrasing, platforms). The held-out file uses
templates, goal wordings, preambles and KPI wordings that the development file
never uses, so a parser that memorises development wording gains nothing there.
Templated questions still overestimate accuracy: the hand-written sets are the
figure that counts.

Written before any tuning on them; the vocabulary here was written from the
domain (DOMAIN.md and how people talk), not from advisor/vocab.py.
"""

from __future__ import annotations

import random
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SEED = 20261129

PRIMARY = {
    "awareness": "reach", "engagement": "engagement_rate", "traffic": "click_through_rate",
    "leads": "leads", "ecommerce": "product_page_views", "local": "qualified_inquiries",
    "community": "median_response_time", "brand_health": "net_sentiment", "efficiency": "impressions_per_post",
}

# goal wordings: (development, held-out); each fits "we want/need to ...", "our goal is ..." after light edits.
# Each entry is a noun-ish phrase that completes "our goal is {x}" / "how do we measure {x}".
GOALS: dict[str, tuple[list[str], list[str]]] = {
    "awareness": (
        ["brand awareness", "getting our name out there", "being seen by more people", "visibility in a new market",
         "more people knowing who we are", "top of mind awareness with gen z", "getting discovered by new audiences"],
        ["reaching people who never heard of us", "brand visibility", "exposure for our new product line",
         "making the brand known in france", "awareness ahead of the launch", "being noticed by a wider audience"],
    ),
    "engagement": (
        ["engagement", "content resonance", "posts people actually interact with", "building an audience that reacts",
         "getting more comments and shares", "content that connects with our followers"],
        ["audience interaction", "content people save and share", "whether our posts land with the audience",
         "people liking and commenting on our stuff", "community excitement about our content",
         "how much people vibe with our posts"],
    ),
    "traffic": (
        ["website traffic", "driving clicks to our site", "sending people to the blog", "link clicks from social",
         "visits to our landing pages", "getting followers onto the website"],
        ["traffic from social", "clicks through to our articles", "site visits from organic posts",
         "pushing readers to our content hub", "people tapping the link in bio", "sessions on the site from social"],
    ),
    "leads": (
        ["lead generation", "demo requests", "newsletter sign-ups", "webinar registrations", "app installs",
         "pipeline for the sales team", "MQLs from linkedin"],
        ["growing the email list", "free trial sign-ups", "sign-ups for our webinar", "leads for sales",
         "people downloading our app", "booked sales calls", "waitlist sign-ups"],
    ),
    "ecommerce": (
        ["online sales", "selling more products", "product discovery", "shop visits and purchases",
         "driving orders on our shopify store", "getting people to buy from our product videos"],
        ["e-commerce revenue from social", "purchases of our skincare line", "product page visits",
         "moving units of the new collection", "sales on our online store", "people checking out our products"],
    ),
    "local": (
        ["local bookings", "calls to our salon", "quote requests from people nearby", "appointments at the clinic",
         "more customers from our town", "enquiries for our plumbing business"],
        ["walk-ins at the restaurant", "booked appointments from locals", "customers in our area calling us",
         "inquiries for our roofing service", "reservations from the neighbourhood", "leads for our local gym"],
    ),
    "community": (
        ["customer care", "answering customers quickly", "social customer service", "handling complaints in the dms",
         "customer retention through support", "replying to people who message us"],
        ["support on social", "keeping customers happy when they reach out", "response speed in the comments",
         "looking after our existing customers", "customer service on twitter", "not leaving messages unanswered"],
    ),
    "brand_health": (
        ["brand health", "brand reputation", "how people feel about us", "sentiment after the recall",
         "our employer brand", "brand perception"],
        ["reputation management", "the mood around our brand online", "public opinion of the company",
         "how the brand is perceived", "our image as an employer for hiring", "brand trust"],
    ),
    "efficiency": (
        ["team efficiency", "content output", "posting cadence", "productivity of the social team",
         "how much content we ship"],
        ["output of our two-person team", "publishing consistency", "content throughput",
         "whether we post often enough", "how productive the content team is"],
    ),
}

RECOMMEND_TEMPLATES = (
    [  # development
        "which kpi for {goal}?", "what metric should we track for {goal}", "how do we measure {goal} on {platform}",
        "our main goal this quarter is {goal}. what should be our north star metric?",
        "best kpi for {goal}", "what number tells us if {goal} is working", "kpi for {goal} pls",
        "we care about {goal}, what do we measure", "i need to report on {goal} to my boss, which metric",
        "what's the right kpi to track {goal} from organic social",
    ],
    [  # held-out
        "what should i be tracking if we're focused on {goal}", "which metric best shows {goal}?",
        "how can we prove progress on {goal}", "recommend a kpi for {goal} on {platform}",
        "what's the one number to watch for {goal}", "we're judged on {goal} this year. what do we track?",
        "how would you measure {goal}", "what kpi fits {goal}", "for {goal}, what should the main metric be",
        "help me choose a kpi for {goal}",
    ],
)

NON_NATIVE = (
    ["please which is the kpi for {goal}?", "what metric is good for measure {goal}", "we want {goal}, which kpi we use?"],
    ["how we can measure the {goal}?", "which number we must follow for {goal}", "is what kpi for {goal}, please advise"],
)

PREAMBLES = (
    ["hi team! quick one.", "so we just had our quarterly planning and the ceo wants numbers.",
     "context: small marketing team of 3, b2c, mostly instagram and tiktok.",
     "ok so long story short, we have a new head of marketing and she wants a dashboard by friday.",
     "hey there 👋"],
    ["morning all.", "sorry if this is a dumb question but",
     "background: we are a mid-size company, social is run by one person (me) and i report monthly.",
     "our agency sends us a 40-page report every month and nobody reads it.",
     "hello, first time using this bot."],
)

PLATFORMS = (
    ["instagram", "tiktok", "linkedin", "youtube", "pinterest", "threads", "facebook"],
    ["reddit", "discord", "bluesky", "youtube", "x", "insta", "threads", "pinterest"],
)

# KPI wordings for value / explain / verdict templates: (phrase, kpi id); development and held-out lists.
KPI_WORDS: tuple[list[tuple[str, str]], list[tuple[str, str]]] = (
    [("engagement rate", "engagement_rate"), ("reach", "reach"), ("impressions", "impressions"),
     ("ctr", "click_through_rate"), ("follower growth", "follower_growth_rate"), ("save rate", "save_rate"),
     ("leads", "leads"), ("median response time", "median_response_time"), ("net sentiment", "net_sentiment"),
     ("video completion rate", "video_completion_rate"), ("product page views", "product_page_views"),
     ("share of voice", "share_of_voice"), ("qualified inquiries", "qualified_inquiries"),
     ("posts published", "posts_published"), ("response rate", "response_rate")],
    [("eng rate", "engagement_rate"), ("people reached", "reach"), ("click-through rate", "click_through_rate"),
     ("shares per 1k impressions", "share_rate"), ("avg watch time", "avg_watch_time"), ("mqls", "leads"),
     ("first response time", "median_response_time"), ("sentiment", "net_sentiment"), ("sov", "share_of_voice"),
     ("add to cart rate", "add_to_cart_rate"), ("engaged sessions", "engaged_sessions"),
     ("resolution rate", "resolution_rate"), ("brand mentions", "mention_volume"), ("video views", "video_views"),
     ("comments per post", "comments_per_post")],
)

PERIODS = (
    [("last week", "last_week"), ("last 28 days", "last_28_days"), ("this month", "this_month"),
     ("last quarter", "last_quarter")],
    [("past 7 days", "last_7_days"), ("last month", "last_month"), ("yesterday", "yesterday"),
     ("this quarter", "this_quarter")],
)

VALUE_TEMPLATES = (
    ["{kpi} {period}", "what's our {kpi} on {platform} {period}?", "show me {kpi} for {period}",
     "how is {kpi} doing {period}"],
    ["pull {kpi} {period} please", "{kpi} on {platform}, {period}", "can i get the {kpi} number for {period}",
     "what was {kpi} {period}"],
)

EXPLAIN_TEMPLATES = (
    ["what does {kpi} mean", "how is {kpi} calculated?", "define {kpi}"],
    ["explain {kpi} to me like i'm new", "what's the formula for {kpi}", "how do you compute {kpi}?"],
)

# verdict: (metric wording, family the verdict is about) -> family's primary KPI
VERDICT_SUBJECTS = (
    [("follower count", "awareness"), ("likes", "engagement"), ("impressions", "awareness"),
     ("video views", "awareness"), ("engagement rate", "engagement"), ("ctr", "traffic"),
     ("mention volume", "brand_health"), ("number of posts", "efficiency")],
    [("followers", "awareness"), ("total likes", "engagement"), ("raw impressions", "awareness"),
     ("views on our videos", "awareness"), ("click-through rate", "traffic"), ("leads", "leads"),
     ("brand mentions", "brand_health"), ("save rate", "engagement")],
)

VERDICT_TEMPLATES = (
    ["is {metric} a good kpi?", "{metric} keeps going up, are we doing well?", "should {metric} be our main kpi?"],
    ["is {metric} a useful metric or a vanity metric?", "our {metric} is growing every month, does that mean it's working?",
     "boss wants {metric} as the kpi, good idea?"],
)

EMOJI = ["🙏", "🤔", "📈", "🚀", "😅", "👀", "🔥"]


def _typo(rng: random.Random, text: str) -> str:
    words = text.split()
    idx = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not idx:
        return text
    i = rng.choice(idx)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    kind = rng.randrange(3)
    if kind == 0:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2:]  # swap
    elif kind == 1:
        w = w[:j] + w[j + 1:]  # drop
    else:
        w = w[:j] + w[j] + w[j:]  # double
    words[i] = w
    return " ".join(words)


def _noise(rng: random.Random, text: str, split: int) -> tuple[str, list[str]]:
    applied = []
    if rng.random() < 0.3:
        text, applied = _typo(rng, text), applied + ["typo"]
    if rng.random() < 0.25:
        text, applied = f"<@U0{rng.randrange(10**6):06d}> {text}", applied + ["mention"]
    if rng.random() < 0.2:
        text, applied = f"{text} {rng.choice(EMOJI)}", applied + ["emoji"]
    if rng.random() < 0.1:
        text, applied = f"{text} :{rng.choice(['thinking_face', 'pray', 'eyes', 'rocket'])}:", applied + ["emoji_code"]
    if rng.random() < 0.15:
        text, applied = f"{rng.choice(PREAMBLES[split])} {text}", applied + ["preamble"]
    if rng.random() < 0.5:
        text, applied = text.lower(), applied + ["lowercase"]
    elif rng.random() < 0.15:
        text, applied = text.upper(), applied + ["uppercase"]
    if rng.random() < 0.1:
        text, applied = f"*{text}*", applied + ["bold"]
    return text, applied


def _items(split: int) -> list[dict]:
    rng = random.Random(SEED + split)
    out: list[dict] = []
    plats = PLATFORMS[split]
    for family, wordings in GOALS.items():
        for goal in wordings[split]:
            templates = rng.sample(RECOMMEND_TEMPLATES[split], 4) + [rng.choice(NON_NATIVE[split])]
            for t in templates:
                q = t.format(goal=goal, platform=rng.choice(plats))
                q, noise = _noise(rng, q, split)
                out.append({"q": q, "intent": "recommend", "family": family, "kpi": PRIMARY[family],
                            "noise": noise})
    for metric, family in VERDICT_SUBJECTS[split]:
        for t in VERDICT_TEMPLATES[split]:
            q, noise = _noise(rng, t.format(metric=metric), split)
            out.append({"q": q, "intent": "verdict", "family": family, "kpi": PRIMARY[family], "noise": noise})
    for phrase, kpi in KPI_WORDS[split]:
        for t in rng.sample(VALUE_TEMPLATES[split], 3):
            period_words, period = rng.choice(PERIODS[split])
            platform = rng.choice(plats)
            q, noise = _noise(rng, t.format(kpi=phrase, period=period_words, platform=platform), split)
            item = {"q": q, "intent": "value", "family": None, "kpi": kpi, "period": period, "noise": noise}
            if "{platform}" in t:
                item["platform"] = {"insta": "instagram"}.get(platform, platform)
            out.append(item)
        for t in rng.sample(EXPLAIN_TEMPLATES[split], 2):
            q, noise = _noise(rng, t.format(kpi=phrase), split)
            out.append({"q": q, "intent": "explain", "family": None, "kpi": kpi, "noise": noise})
    return out


def main() -> None:
    header = ("# GENERATED by tests/data/generate_advisor_questions.py ({split}); do not edit by hand.\n"
              "# Labels: recommend -> family + the family's primary KPI; verdict ('is X a good KPI?') ->\n"
              "# the family X serves + its primary KPI; value/explain -> the KPI, family null.\n")
    for split, name in ((0, "advisor_gen_dev.yaml"), (1, "advisor_gen_holdout.yaml")):
        items = _items(split)
        body = yaml.safe_dump(items, sort_keys=False, allow_unicode=True, width=200)
        (HERE / name).write_text(header.format(split="held-out" if split else "development") + body,
                                 encoding="utf-8")
        print(f"{name}: {len(items)} questions")


if __name__ == "__main__":
    main()
