"""Word lists the synthetic Hub draws from, with weights that give the real Hub's skew.

Pipeline tags follow the Hub's task taxonomy; libraries, licenses, lineage relations and SDKs are
the values the Hub actually uses. The hostile strings are what a renderer must survive: markup,
mathtext, spreadsheet formulas, right-to-left text and very long strings.
"""

from typing import Final

# Seconds since the epoch of 2022-03-02T23:29:04Z: the first createdAt (and _id time) of the batch
# of repos migrated before the Hub recorded creation dates.
PLACEHOLDER_CREATED: Final = 1_646_263_744
# The batch's spread over that minute: (seconds after PLACEHOLDER_CREATED, weight). Real responses
# show 23:29:04, 23:29:05 and 23:29:22; most of the batch sits in its first seconds.
PLACEHOLDER_SECONDS: Final = ((0, 55), (1, 25), (2, 6), (7, 4), (18, 10))
# 2022-03-03T00:00:00Z: real creation dates start after the migration.
FIRST_REAL_CREATED: Final = 1_646_265_600
# 2026-11-01T00:00:00Z: "now" on day 0 of the synthetic Hub.
DAY_ZERO: Final = 1_793_491_200
SECONDS_PER_DAY: Final = 86_400

PIPELINE_TAGS: Final = (
    ("text-generation", 30),
    ("text-classification", 8),
    ("image-text-to-text", 6),
    ("feature-extraction", 5),
    ("text-to-image", 5),
    ("automatic-speech-recognition", 4),
    ("sentence-similarity", 4),
    ("token-classification", 3),
    ("image-classification", 3),
    ("text2text-generation", 3),
    ("fill-mask", 2),
    ("question-answering", 2),
    ("reinforcement-learning", 2),
    ("translation", 2),
    ("text-to-speech", 2),
    ("summarization", 1),
    ("object-detection", 1),
    ("image-segmentation", 1),
    ("audio-classification", 1),
    ("zero-shot-classification", 1),
    ("image-to-image", 1),
    ("text-to-video", 1),
    ("image-to-text", 1),
    ("depth-estimation", 1),
    ("robotics", 1),
    ("any-to-any", 1),
    ("text-to-audio", 1),
    ("audio-text-to-text", 1),
    ("video-text-to-text", 1),
    ("time-series-forecasting", 1),
    ("tabular-classification", 1),
    ("text-ranking", 1),
    ("visual-document-retrieval", 1),
    ("zero-shot-image-classification", 1),
    ("image-to-3d", 1),
    ("graph-ml", 1),
    ("other", 1),
)

LIBRARIES: Final = (
    ("transformers", 45),
    ("diffusers", 8),
    ("sentence-transformers", 7),
    ("peft", 10),
    ("gguf", 8),
    ("llama.cpp", 2),
    ("timm", 3),
    ("mlx", 3),
    ("pytorch", 3),
    ("onnx", 2),
    ("stable-baselines3", 2),
    ("adapter-transformers", 1),
    ("keras", 1),
    ("open_clip", 1),
    ("setfit", 1),
    ("transformers.js", 1),
    ("ml-agents", 1),
    ("spacy", 1),
)

# The task most repos of a library are tagged with.
LIBRARY_TASKS: Final = {
    "diffusers": "text-to-image",
    "sentence-transformers": "sentence-similarity",
    "gguf": "text-generation",
    "llama.cpp": "text-generation",
    "mlx": "text-generation",
    "timm": "image-classification",
    "stable-baselines3": "reinforcement-learning",
    "ml-agents": "reinforcement-learning",
    "open_clip": "zero-shot-image-classification",
    "setfit": "text-classification",
}

LICENSES: Final = (
    ("apache-2.0", 35),
    ("mit", 20),
    ("other", 10),
    ("llama3", 4),
    ("llama3.1", 3),
    ("gemma", 4),
    ("cc-by-4.0", 5),
    ("cc-by-nc-4.0", 5),
    ("openrail", 3),
    ("creativeml-openrail-m", 3),
    ("gpl-3.0", 2),
    ("bsd-3-clause", 2),
    ("cc-by-sa-4.0", 2),
    ("afl-3.0", 1),
    ("unknown", 1),
)

# Lineage relations of the Hub's baseModels, with how often each occurs among derived models.
BASE_MODEL_RELATIONS: Final = (("finetune", 45), ("adapter", 25), ("quantized", 22), ("merge", 8))

SPACE_SDKS: Final = (("gradio", 60), ("docker", 15), ("static", 15), ("streamlit", 10))

# A Space's runtime: its stage, and the hardware it asks for (most run on the free CPU; ZeroGPU
# is the most common GPU). Only a running Space has current hardware.
SPACE_STAGES: Final = (
    ("RUNNING", 40),
    ("SLEEPING", 34),
    ("RUNTIME_ERROR", 9),
    ("BUILD_ERROR", 5),
    ("PAUSED", 5),
    ("STOPPED", 3),
    ("NO_APP_FILE", 2),
    ("CONFIG_ERROR", 1),
    ("BUILDING", 1),
)
SPACE_HARDWARE: Final = (
    ("cpu-basic", 82),
    ("zero-a10g", 6),
    ("cpu-upgrade", 4),
    ("t4-small", 3),
    ("t4-medium", 1),
    ("a10g-small", 2),
    ("a10g-large", 1),
    ("l4x1", 1),
    ("a100-large", 1),
)
# Safetensors dtypes, the first the most common.
SAFETENSORS_DTYPES: Final = ("BF16", "F16", "F32", "I8", "U8")

GATED_VALUES: Final = (False, "auto", "manual")

LANGUAGES: Final = ("en", "zh", "fr", "de", "es", "ja", "ru", "ko", "ar", "hi", "multilingual")
FILE_FORMATS: Final = ("safetensors", "pytorch", "onnx", "tensorboard", "coreml", "jax")
DATASET_FORMATS: Final = ("parquet", "json", "csv", "imagefolder", "text", "webdataset")
DATASET_MODALITIES: Final = ("text", "image", "audio", "tabular", "video", "timeseries")
SIZE_CATEGORIES: Final = ("n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M")

MODEL_FAMILIES: Final = (
    "orca", "lumen", "aurora", "falcon", "nimbus", "quill", "ember", "tessa", "vega", "nova",
    "atlas", "corvid", "halo", "juniper", "kestrel", "lyra", "marlin", "onyx", "pico", "sable",
)  # fmt: skip
MODEL_SIZES: Final = ("tiny", "small", "base", "large", "1b", "3b", "7b", "8b", "13b", "70b")
MODEL_VARIANTS: Final = (
    "instruct", "chat", "base", "gguf", "awq", "lora", "v2", "dpo", "sft", "merged", "it", "4bit",
)  # fmt: skip
DATASET_TOPICS: Final = (
    "reviews", "dialogues", "math", "code", "captions", "speech", "medical", "legal", "news",
    "recipes", "wiki", "prompts", "preferences", "images", "tables",
)  # fmt: skip
SPACE_TOPICS: Final = (
    "demo", "chat", "leaderboard", "playground", "arena", "viewer", "tts", "ocr", "studio",
)  # fmt: skip

# A few well-known organisations head the author list; every other author is a stem plus its rank.
ORG_NAMES: Final = (
    "open-lab", "nimbus-ai", "vector-works", "polyglot-research", "deep-harbor", "tensor-grove",
    "signal-foundry", "kite-labs",
)  # fmt: skip
USER_STEMS: Final = ("alex", "mira", "jun", "sam", "noor", "li", "tomas", "ana", "ravi", "kai")
ORG_STEMS: Final = ("lab", "collective", "research", "ai-team", "institute", "studio")

HOSTILE_STRINGS: Final = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "$\\frac{a}{b}$",
    "x" * 2048,
    "نموذج لغوي عربي",
    "מודל שפה עברי",
    '=HYPERLINK("http://example.invalid","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\u202etxt.exe",
)

# Names that survive the Hub's id rules ([A-Za-z0-9-_.]) yet trip naive code.
HOSTILE_REPO_NAMES: Final = ("NaN", "null", "__proto__", "Infinity", "1e309", "con", "a" * 96)
