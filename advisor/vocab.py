"""Words people type for KPIs, goals, platforms, periods and intents.

Data for the deterministic parser. Phrases are matched on normalised text
(lowercase, punctuation folded to spaces) at word boundaries, longest first.
"""

from __future__ import annotations

__all__ = [
    "KPI_PATTERNS",
    "KPI_PHRASES",
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
    "engaged session": "engaged_sessions",
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
    "assisted conversion": "assisted_conversions",
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
    "sentiment score": "net_sentiment",
    "how many posts": "posts_published",
    "number of posts": "posts_published",
    "post count": "posts_published",
    "number of followers": "followers",
    "follower numbers": "followers",
    "follower number": "followers",
    "total likes": "engagements",
    "views on our videos": "video_views",
}

# KPIs named in looser words than a fixed phrase (checked when no phrase matches)
KPI_PATTERNS: list[tuple[str, str]] = [
    (r"\b(?:people|ppl|folks|users|anyone) (?:saw|seen|see|seeing)\b", "reach"),
    (r"\bhow (?:often|much|many times) (?:we|did we|have we|do we) (?:post|posted|publish)", "posts_published"),
    (r"\bdid we (?:post|publish)\b", "posts_published"),
    (r"\bhow (?:many times|often) (?:did |do |have )?(?:people|ppl|folks) watch", "video_views"),
    (r"\ball the way (?:through|to the end)\b", "video_completion_rate"),
    (r"\bhow long do (?:people|ppl|folks|viewers) watch\b", "avg_watch_time"),
    (r"\bhow much (?:money )?(?:money|revenue|sales)?\s*(?:did|has|does) social (?:bring|make|drive)", "revenue"),
    (r"\b(?:percent|share|how many) of (?:\w+ ){0,3}(?:do|did) we (?:\w+ )?(?:reply|respond|answer)", "response_rate"),
    (r"\b(?:got|get|were|was) resolved\b|\bresolved\b.{0,20}\blast\b", "resolution_rate"),
    (r"\bpipeline\b.{0,20}\binfluenced\b", "pipeline_value"),
    (r"\b(?:slow|fast|quick)\w* (?:at )?(?:answering|replying|responding|getting back)", "median_response_time"),
    (r"\b(?:answer|reply to|respond to|get back to) (?:\w+ ){0,2}(?:dms|comments|messages|msgs)\b.{0,20}\b(?:fast|quick|slow)",
     "median_response_time"),
    (r"\bvideos?\b.{0,40}\b(?:finish|finished|to the end)\b", "video_completion_rate"),
    (r"\b(?:finish|finished|complete)\b.{0,30}\bvideos?\b", "video_completion_rate"),
    (r"\bhow (?:fast|quickly) (?:we|do we|are we) (?:reply|respond|answer)", "median_response_time"),
]

PLATFORM_WORDS: dict[str, str] = {
    "instagram": "instagram", "insta": "instagram", "ig": "instagram",
    "tiktok": "tiktok", "tik tok": "tiktok", "tt": "tiktok",
    "linkedin": "linkedin",
    "facebook": "facebook", "fb": "facebook",
    "youtube": "youtube", "yt": "youtube", "youtube shorts": "youtube",
    "twitter": "x",
    # recognised so a filter to them is named ("no pinterest in your data"), never dropped silently
    "pinterest": "pinterest", "reddit": "reddit", "subreddit": "reddit", "discord": "discord",
    "bluesky": "bluesky", "bsky": "bluesky", "snapchat": "snapchat", "twitch": "twitch",
    "mastodon": "mastodon", "whatsapp": "whatsapp",
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
    (r"\bthis (?:qtr|q)\b", "this_quarter"),
    (r"\b(?:last|past|previous) (?:qtr|q)\b", "last_quarter"),
    (r"\bthis quarter\b", "this_quarter"),
    (r"\b(?:last|past|previous) quarter\b", "last_quarter"),
    (r"\b(?:ytd|year to date|this year)\b", "year_to_date"),
]

# intent -> regexes over normalised text
INTENT_CUES: dict[str, list[str]] = {
    "help": [
        r"^help\b(?! (?:me|us) (?:pick|choose|find|decide|figure|set|define|measure|track|with (?:kpi|metric)))", r"^commands?\b", r"\bwhat can (?:you|u) do\b", r"\bhow do i use\b", r"\bwhat commands\b",
        r"\bhow does this (?:bot )?work\b", r"\bhow do (?:i|we) (?:get|set up|setup|subscribe|schedule)\b.*\b(?:digest|report|subscri)",
        r"\bcommands are there\b", r"\bwhat are you\b",
        r"\bwhat can (?:this bot|this thing|the bot|this|you|u) (?:even )?do\b", r"\bwhat can (?:i|we) ask\b",
        r"\bwhat (?:kinds? of |sort of )?(?:questions|things) can i ask\b", r"\bhow do i talk to (?:you|u)\b",
        r"\b(?:connect|hook up|plug)\b.{0,20}\b(?:our|my) data\b", r"\bupload (?:a |our |my )?(?:csv|file|export)\b",
        r"\bhow (?:do|can|should) (?:i|we) ask (?:you|u|the bot|this bot)\b",
    ],
    "digest": [
        r"\bdigest\b", r"\bscorecard\b", r"\breport\b(?! on\b)", r"\bweekly summary\b", r"\bmonthly summary\b",
        r"\bsummary for\b", r"\brecap\b", r"\bput together a\b", r"\bdraft (?:me )?(?:the|a)\b",
    ],
    # a digest by name: "report" alone next to a KPI is a request for that KPI's number
    "digest_strong": [r"\bdigest\b", r"\bscorecard\b", r"\b(?:weekly|monthly) (?:summary|report)\b", r"\brecap\b",
                      r"\b\w+ report\b(?! on\b)"],
    "why": [
        r"\bwhy\b", r"\bwhat happened\b", r"\bwhat s going on\b", r"\bwhat drove\b",
        r"\bwhat (?:s|is) driving\b", r"\bdriving (?:that|this|it)\b", r"\bwhat happen\w*\b",
        r"\bwhat s up with\b", r"\bwhat s wrong with\b", r"\bwhat (?:s|is|was) behind\b", r"\bbehind (?:it|this|that)\b",
        r"\bwhat caused\b", r"\bdragged\b", r"\bwhy are we (?:getting|seeing|losing|gaining)\b", r"\bwhat changed\b", r"\bexplain the (?:drop|spike|dip|jump)\b",
    ],
    "movement": [
        r"\b(?:drop|dropped|dropping|down|tank|tanked|tanking|spike|spiked|spiking|jump|jumped|jumping|fell|fall|"
        r"fallen|falling|dip|dipped|dipping|plunging|crashing|crashed|sinking|sank|soaring|soared|climbing|"
        r"slow|slower|flat|negative|up|rose|rise|increase|increased|decrease|decreased|declin\w*|awful|"
        r"terrible|bad|weird|off|low|high|double|doubled|halved|tripled|"
        r"plummet\w*|surge\w*|cliff|worse|better|lately|change|changed|move|moved|shift\w*|swing\w*|"
        r"fewer|less|lower|higher|losing|gaining)\b",
    ],
    "explain_contrast": [r"\band not\b", r"\binstead of\b", r"\brather than\b", r"\bnot the\b"],
    "compare": [
        r"\bvs\b", r"\bversus\b", r"\bcompared? (?:to|with)\b", r"\bcompare\b", r"\bagainst last\b",
        r"\bthe (?:month|week|quarter) before\b", r"\bsame (?:month|week|quarter|period) last year\b",
        r"\byoy\b", r"\bbetter on\b", r"\bworse on\b", r"\bthan last\b", r"\bacross formats\b",
        r"\bbetter or worse\b", r"\bmore or less than\b", r"\bthan back in\b", r"\bstack up\b",
    ],
    # "is X a good KPI?", "X keeps going up, are we doing well?": a verdict on a metric
    "verdict": [
        r"\b(?:is|are|isn t|aren t|was) (?:\w+ ){0,6}(?:a |an |even a |really a |actually a |just a )?"
        r"(?:good|useful|real|valid|meaningful|right|wrong|proper|bad|vanity|decent|solid|reliable|sensible|smart|"
        r"great|fine|ok|okay)(?: enough)? (?:kpi|kpis|metric|metrics|measure|number|indicator|north star|goal|sign)\b",
        r"\b(?:the )?(?:kpi|metric|number) to (?:celebrate|brag about|report|chase)\b", r"\bcelebrat\w*\b",
        r"\bvanity(?: metric| metrics| number)?\b\s*\??$", r"\bor (?:just )?(?:a )?vanity\b",
        r"\b(?:keeps?|kept) (?:going up|growing|climbing|rising|increasing|going down|dropping|falling)\b",
        r"\b(?:are|r) we (?:doing (?:well|good|ok|okay|great)|winning|on track|fine|ok|okay|good)\b", r"\bgood sign\b",
        r"\bdoes (?:that|this|it) mean\b",
        r"\bshould (?:he|she|they|we|i) be (?:happy|thrilled|worried|concerned|excited|pleased|proud|celebrating)\b",
        r"\bshould (?:\w+ ){1,5}be (?:our|the) (?:main |primary |only |north star |headline )?(?:kpi|metric|goal)\b",
        r"\b(?:as|be) (?:the|our) (?:main |primary |only )?(?:kpi|metric),? (?:good idea|ok|okay|right|smart)\b",
        r"\b(?:good|bad|smart|dumb|terrible|great|stupid) idea\b",
        r"\bcall (?:that|this|it) a (?:win|success|good result)\b",
        r"\bshould (?:we|i) (?:make|use|pick|choose|have|set) (?:\w+ ){1,4}(?:our|the|as) (?:main |primary |only |"
        r"north star |headline |new |top )?(?:kpi|metric)\b",
        r"\b(?:as|be) (?:our|the) (?:main |primary |only |new |headline )?(?:kpi|metric|north star)\b.*\bthoughts\b",
        r"\b(?:is|are) (?:the |our )?(?:best|right|main|only) (?:kpi|metric)s?\b.*\b(?:agree|thoughts|true|correct)\b",
        r"\b(?:kpi|metric)s?\b.*\b(?:is|are) (?:he|she|they|you|we|it|that|this) right\b", r"\bworth (?:tracking|reporting|measuring|watching)\b", r"\bor nah\b",
        r"\bshould (?:we|i) (?:use|report|track|pick|choose|make|show)\b.*\bas (?:our|the|a) (?:main |primary |only )?"
        r"(?:kpi|metric)\b", r"\b(?:is|are) (?:\w+ ){1,4}enough to (?:judge|measure|show|prove|tell)\b",
        r"\b(?:good|bad|great) news\b", r"\bwe re (?:doing (?:well|good|ok|okay|great)|winning|on track)\b",
        r"\b(?:doing well|good)(?: (?:kpi|metric|idea|measure|number))? or (?:not|nah|bad)\b",
        # "X is our main KPI / X as our KPI ... is that ok?": any judgement word
        r"^(?:is|are) (?:a |an |our |the )?(?:\w+ ){1,6}(?:good|bad|decent|healthy|normal|ok|okay|high|low)$",
        r"\b(?:is|isn t) (?:that|this|it) (?:really |actually |even |just )?(?:a )?(?:good|bad|enough|ok|okay|fine|"
        r"dumb|smart|stupid|silly|wise|wrong|right|legit|sensible|reasonable|mistake|good idea|bad idea|crazy|"
        r"naive|misleading|meaningless|pointless|useless|enough|success|a success|a win|winning|impressive)\b",
    ],
    # "what is X": explain unless the question asks for a recommendation or numbers
    "explain_weak": [r"^(?:what s|whats|what is|what are) (?!(?:a |an |the )?(?:our|my|best|right|most|main)\b)"],
    "explain": [
        r"\bwhat does\b",
        r"\bmean\b", r"\bdefine\b", r"\bdefined\b", r"\bdefinition\b", r"\bexplain\b", r"\bhow is .* (?:calculated|computed|scored)\b",
        r"\bhow do (?:you|we|i) (?:calculate|compute)\b", r"\bformula\b", r"\bgood (?:kpi|metric)\b",
        r"\breal kpi\b", r"\bdiff(?:erence)? between\b", r"\bwhat s the diff(?:erence)?\b", r"\bwhat counts as\b", r"\bhow does .* work\b",
        r"\bexactly\b", r"\bor nah\b", r"\btell us\b", r"\bis .* a (?:good|real|useful) (?:kpi|metric)\b",
        r"\bvs\b .*\bexplain\b", r"\bscored\b", r"\bhow it s computed\b",
        r"\w+ / \w+ or \w+", r"\bby \w+ or \w+\s*$",
        r"\bwhy (?:should|shouldn t|shouldnt|not|would|do (?:we|you) (?:use|say|count)|is it)\b",
    ],
    "recommend": [
        r"\bwhich (?:kpi|kpis|metric|metrics|numbers?|indicators?)\b", r"\bwhat (?:kpi|kpis|metric|metrics|number)\b",
        r"\bwhat should (?:we|i) (?:track|measure|use|watch|be measuring|look at)\b",
        r"\bwhat should (?:we|i) be (?:tracking|measuring|watching|monitoring|looking at|reporting)\b",
        r"\bwhat do we (?:track|measure)\b", r"\bwhat should (?:\w+ ){1,2}(?:track|measure|report|watch|look at|use)\b", r"\bhow (?:do|should|can|could) (?:we|i) (?:measure|track|show|prove|know|judge|tell|evaluate|assess)\b",
        r"\bhow (?:we|i) (?:can|should|could) (?:measure|track|show|prove|know|judge|tell|evaluate|assess)\b",
        r"\bbest (?:kpi|metric)\b", r"\bmain metric\b",
        r"\bwhere do i start\b", r"\bwhat to track\b", r"\btrack instead\b", r"\bmeasured on\b",
        r"\bshould be our\b", r"\bnorth star\b", r"\bthe right (?:social )?(?:metric|kpi)\b",
        r"\bwhat do (?:i|we) report on\b",
        r"\bkpi for\b", r"\bmetric tells\b", r"\bwhat s the metric\b",
        r"\bwe want (?:more|to)\b", r"\bneed (?:more|social to)\b", r"\bhow do i know if\b",
        r"\bwhich kpi do we\b", r"\b(?:kpi|kpis|metric|metrics) (?:to|for) (?:track|measure|use|watch|follow)\b", r"\bis there (?:a|an|any) (?:kpi|metric|number|indicator)\b", r"\bbest way to (?:measure|track|get|grow|increase|drive|show|prove|know)\b",
    ],
    # "the KPI?", "kpi?": a request for a KPI, but weaker than "explain the difference between ..."
    "recommend_weak": [r"\bthe kpi\b", r"\bkpi\b\s*\??$", r"\bthe metric\b", r"\b(?:primary|main|key) (?:metric|kpi)\b"],
    # a number asked for outright ("can you give me X for last month"), whatever report it is for
    "value_request": [r"\b(?:give|get|send|pull|fetch|show) (?:me|us)\b", r"\bpull (?:up )?(?:the|our)\b",
                      r"\bcan (?:you|u) (?:give|get|pull|fetch|show|send|tell)\b"],
    # a digest by its own name, not "report" in a preamble
    "digest_named": [r"\bdigest\b", r"\bscorecard\b", r"\brecap\b"],
    "value_strong": [
        r"^(?:value|show|get|fetch)\b", r"^(?:avg|average|total|median|p90)\b", r"\bwhat percent(?:age)? of\b",
        r"^how (?:long|fast|quickly) do (?:ppl|people|we|folks|viewers|users)\b",
        r"\bhow (?:often|many times) (?:did we|have we|we) \w+ed\b",
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
    r"\bcaptions?\b", r"\bhashtags?\b", r"\bpoem\b", r"\brecipe\b", r"\bscrape\b", r"\balt text\b",
    # a request to write ("write a post", "pls write me a bio"), not "we write a blog"
    r"(?:^|\b(?:pls|please|help me|can you|can u|could you|would you) )write (?:alt|a|an|some|copy|captions?|me|us)\b",
    # tasks on the accounts, not questions about KPIs
    r"^(?:please |pls |can you |could you )?(?:make|create|build|draft|design|generate|plan) (?:a|an|me|us|some|our)\b"
    r"(?!.*\b(?:digest|report|scorecard|summary|recap|dashboard|kpi|kpis|metric|metrics)\b)",
    r"\b(?:can|could|would|will) (?:you|u) (?:please |pls )?(?:schedule|publish|post|write|design|translate|edit|"
    r"film|shoot|boost|delete|draw|reply to|respond to)\b",
]

OFF_TOPIC: list[str] = [
    r"\bweather\b", r"\bjoke\b", r"\bcaption\b", r"\bhashtags?\b", r"\bcpc\b", r"\bbids?\b",
    r"\bbidding\b", r"\bad spend\b", r"\bretargeting\b", r"\broas\b", r"\bpython\b", r"\berror\b",
    r"\bscript\b", r"\bcode\b", r"\bgame\b", r"\brecipe\b", r"\bpoem\b", r"\bwho won\b",
    r"\bstock price\b", r"\btranslate\b",
    r"(?:^|\b(?:pls|please|help me|can you|can u|could you|would you) )write (?:me|a|an)\b",
]
