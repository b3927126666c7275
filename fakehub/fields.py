"""Which properties a listing item carries: the default set, `full=true`, and `expand` values.

The accepted `expand` values are the Hub's own lists per repo type; anything else (including
`baseModels`, `childrenModelCount` and `usedStorage` on models) is rejected with HTTP 400 like the
Hub does. RECORD_FIELDS is the crawler's field set that `SyntheticHub.records()` returns.
"""

from typing import Final

EXPAND_VALUES: Final = {
    "models": (
        "author", "cardData", "config", "createdAt", "disabled", "downloads", "downloadsAllTime",
        "evalResults", "gated", "gguf", "inference", "inferenceProviderMapping", "lastModified",
        "library_name", "likes", "mask_token", "model-index", "pipeline_tag", "private",
        "resourceGroup", "safetensors", "sha", "siblings", "spaces", "tags", "transformersInfo",
        "trendingScore", "widgetData", "xetEnabled",
    ),
    "datasets": (
        "author", "cardData", "citation", "createdAt", "description", "disabled", "downloads",
        "downloadsAllTime", "gated", "lastModified", "likes", "mainSize", "paperswithcode_id",
        "private", "resourceGroup", "sha", "siblings", "tags", "trendingScore", "usedStorage",
    ),
    "spaces": (
        "author", "cardData", "createdAt", "datasets", "disabled", "lastModified", "likes",
        "models", "private", "region", "resourceGroup", "runtime", "sdk", "sha", "siblings",
        "subdomain", "tags", "trendingScore", "usedStorage",
    ),
}  # fmt: skip

DEFAULT_FIELDS: Final = {
    "models": (
        "_id", "id", "likes", "trendingScore", "private", "downloads", "tags", "pipeline_tag",
        "library_name", "createdAt", "modelId",
    ),
    "datasets": (
        "_id", "id", "author", "sha", "lastModified", "private", "gated", "disabled", "likes",
        "trendingScore", "tags", "description", "downloads", "createdAt",
    ),
    "spaces": (
        "_id", "id", "author", "likes", "trendingScore", "private", "sdk", "tags", "createdAt",
    ),
}  # fmt: skip

FULL_FIELDS: Final = {
    "models": (
        "_id", "id", "private", "pipeline_tag", "library_name", "tags", "downloads", "likes",
        "modelId", "author", "sha", "lastModified", "gated", "inference", "disabled",
        "mask_token", "widgetData", "model-index", "transformersInfo", "siblings", "spaces",
        "createdAt", "safetensors", "trendingScore", "usedStorage",
    ),
    "datasets": (
        "_id", "id", "author", "sha", "lastModified", "private", "gated", "disabled", "likes",
        "trendingScore", "tags", "description", "citation", "downloads", "siblings",
        "createdAt", "usedStorage",
    ),
    "spaces": (
        "_id", "id", "author", "sha", "lastModified", "private", "gated", "disabled", "likes",
        "trendingScore", "sdk", "tags", "siblings", "runtime", "createdAt", "subdomain",
        "models", "datasets", "usedStorage",
    ),
}  # fmt: skip

RECORD_FIELDS: Final = {
    "models": (
        "_id", "id", "author", "createdAt", "lastModified", "downloads", "downloadsAllTime",
        "likes", "trendingScore", "pipeline_tag", "library_name", "tags", "private", "gated",
        "disabled", "sha", "safetensors",
    ),
    "datasets": (
        "_id", "id", "author", "createdAt", "lastModified", "downloads", "downloadsAllTime",
        "likes", "trendingScore", "tags", "private", "gated", "disabled", "sha",
    ),
    "spaces": (
        "_id", "id", "author", "createdAt", "lastModified", "likes", "trendingScore", "tags",
        "private", "disabled", "sha", "sdk", "models", "datasets", "runtime",
    ),
}  # fmt: skip

# Sort keys each listing accepts; the first is the Hub's default.
SORT_KEYS: Final = {
    "models": ("trendingScore", "downloads", "likes", "createdAt", "lastModified"),
    "datasets": ("trendingScore", "downloads", "likes", "createdAt", "lastModified"),
    "spaces": ("trendingScore", "likes", "createdAt", "lastModified"),
}
