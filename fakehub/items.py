"""Builds the JSON properties of one repo from its table row, at the moment it is served.

Strings (ids, tags, sha, timestamps) are derived from a row's columns and random salt, so they
cost nothing until asked for and are identical every time. A property the repo does not have
(e.g. `pipeline_tag` of an untagged model) is ABSENT, and the key is left out of the item.
"""

import hashlib
import time
from collections.abc import Callable, Sequence
from typing import Any, Final

import numpy as np

from fakehub.authors import AuthorDirectory
from fakehub.table import NONE, RepoTable, format_object_id
from fakehub.vocabulary import (
    BASE_MODEL_RELATIONS,
    DATASET_FORMATS,
    DATASET_MODALITIES,
    DATASET_TOPICS,
    FILE_FORMATS,
    GATED_VALUES,
    HOSTILE_REPO_NAMES,
    HOSTILE_STRINGS,
    LANGUAGES,
    LIBRARIES,
    LICENSES,
    MODEL_FAMILIES,
    MODEL_SIZES,
    MODEL_VARIANTS,
    ORG_NAMES,
    PIPELINE_TAGS,
    SAFETENSORS_DTYPES,
    SIZE_CATEGORIES,
    SPACE_HARDWARE,
    SPACE_SDKS,
    SPACE_STAGES,
    SPACE_TOPICS,
)

ABSENT: Final = object()
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
# The repos most links point to: the most downloaded public ones of day 0.
_LINK_POOL = 200
# Parameter counts spread log-uniformly-ish from 10M to 500B, skewed small: about three models in
# four are under 1B, about one in twenty over 80B.
_SMALLEST_LOG10, _LOG10_SPAN, _SIZE_SKEW = 7.0, 4.7, 3.0
_GOLDEN = 0x9E3779B97F4A7C15


def iso_time(seconds: int) -> str:
    """The Hub's timestamp spelling: `2024-02-19T11:06:12.000Z`."""
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(seconds))


def _base36(number: int) -> str:
    digits = ""
    while True:
        number, digit = divmod(number, 36)
        digits = _BASE36[digit] + digits
        if number == 0:
            return digits


def _counters(values: np.ndarray) -> list[int | object]:
    return [ABSENT if value == NONE else value for value in values.tolist()]


def _bits(salt: int, shift: int, modulo: int) -> int:
    return (salt >> shift) % modulo


# Added to a dataset's salt for the bits choosing its second task category and modality.
_SECOND_CATEGORY = 97


def _mixed(salt: int) -> int:
    """64 more random bits from a row's salt (or salt plus a small number), independent of the
    ones its other choices use."""
    mixed = (salt * _GOLDEN) % 2**64
    return mixed ^ (mixed >> 29)


def _weighted(vocabulary: tuple[tuple[str, int], ...], bits: int) -> str:
    """The value of a weighted vocabulary that `bits` (any non-negative int) lands on."""
    point = bits % sum(weight for _, weight in vocabulary)
    for value, weight in vocabulary:
        if point < weight:
            return value
        point -= weight
    raise AssertionError("unreachable: point is below the weights' sum")


class Links:
    """The repos a Space (or a model's `dataset:` tags) may name: a fixed pool of popular repos of
    day 0, most picks among its first ones, and the whole table as it was on day 0. A picked repo
    may since have been deleted, and a few picks name repos that never existed."""

    def __init__(self, builder: "ItemBuilder") -> None:
        table = builder.table
        self.builder = builder
        self.rows = len(table)
        public = np.flatnonzero(~table.private & table.alive)
        order = np.argsort(-table.downloads_all_time[public], kind="stable")[:_LINK_POOL]
        self.pool = public[order].tolist()

    def pick(self, bits: int) -> str:
        """The id `bits` picks: a popular repo (zipf-like), any repo, or one that never was."""
        kind, fraction = bits % 20, ((bits >> 5) % 1_000_000) / 1_000_000
        if kind == 0 or not self.rows:
            owner = ORG_NAMES[(bits >> 25) % len(ORG_NAMES)]
            return f"{owner}/retired-{_base36((bits >> 28) % 36**5)}"
        if kind < 14 and self.pool:
            return self.builder.repo_id(self.pool[int(len(self.pool) * fraction**3)])
        return self.builder.repo_id(int(self.rows * fraction))


class ItemBuilder:
    """Properties of the repos of one table, by name."""

    def __init__(self, table: RepoTable, authors: AuthorDirectory) -> None:
        self.table = table
        self.authors = authors
        self.linked: dict[str, Links] = {}
        self._getters: dict[str, Callable[[int], Any]] = {
            "id": self.repo_id,
            "modelId": self.repo_id,
            "author": self.author,
            "pipeline_tag": lambda row: self._vocabulary(PIPELINE_TAGS, table.pipeline[row]),
            "library_name": lambda row: self._vocabulary(LIBRARIES, table.library[row]),
            "tags": self.tags,
            "sha": self.sha,
            "sdk": lambda row: self._vocabulary(SPACE_SDKS, table.sdk[row]),
            "siblings": self.siblings,
            "cardData": self.card_data,
            "config": self.config,
            "transformersInfo": self.transformers_info,
            "safetensors": self.safetensors,
            "gguf": self.gguf,
            "mask_token": self.mask_token,
            "widgetData": self.widget_data,
            "inference": self.inference,
            "inferenceProviderMapping": lambda row: [],
            "spaces": lambda row: [],
            "models": lambda row: self.links(row, "models", 0),
            "datasets": lambda row: self.links(row, "datasets", 32),
            "model-index": lambda row: None,
            "evalResults": lambda row: ABSENT,
            "resourceGroup": lambda row: ABSENT,
            "paperswithcode_id": lambda row: ABSENT,
            "xetEnabled": lambda row: _bits(int(table.salt[row]), 40, 3) == 0,
            "usedStorage": self.used_storage,
            "mainSize": self.used_storage,
            "description": self.description,
            "citation": self.citation,
            "region": lambda row: "us",
            "runtime": self.runtime,
            "subdomain": self.subdomain,
        }

        # Plain columns are read for a whole page at once: numpy scalar access per row is slow.
        self._columns: dict[str, Callable[[np.ndarray], list[Any]]] = {
            "_id": self._object_ids,
            "createdAt": lambda rows: [iso_time(t) for t in table.created[rows].tolist()],
            "lastModified": lambda rows: [iso_time(t) for t in table.modified[rows].tolist()],
            "downloads": lambda rows: _counters(table.downloads[rows]),
            "downloadsAllTime": lambda rows: _counters(table.downloads_all_time[rows]),
            "likes": lambda rows: table.likes[rows].tolist(),
            "private": lambda rows: table.private[rows].tolist(),
            "disabled": lambda rows: table.disabled[rows].tolist(),
            "gated": lambda rows: [GATED_VALUES[g] for g in table.gated[rows].tolist()],
            "trendingScore": lambda rows: [
                int(s) if s.is_integer() else s for s in table.trending[rows].tolist()
            ],
        }

    def link(self, models: "ItemBuilder", datasets: "ItemBuilder") -> None:
        """Let this table's repos name the repos of `models` and `datasets` (as of now)."""
        self.linked = {"models": Links(models), "datasets": Links(datasets)}

    def items(self, rows: Sequence[int], names: Sequence[str]) -> list[dict[str, Any]]:
        """The items of `rows` with the properties `names`, keys left out where ABSENT."""
        index = np.asarray(rows, dtype=np.int64)
        columns = [(name, self.column(name, index)) for name in names]
        return [
            {name: values[i] for name, values in columns if values[i] is not ABSENT}
            for i in range(len(index))
        ]

    def column(self, name: str, rows: np.ndarray) -> list[Any]:
        """Property `name` of each of `rows`, ABSENT where the repo lacks it."""
        if name in self._columns:
            return self._columns[name](rows)
        getter = self._getters[name]
        return [getter(row) for row in rows.tolist()]

    def _object_ids(self, rows: np.ndarray) -> list[str]:
        prefix, created = self.table.id_prefix, self.table.created[rows].tolist()
        return [format_object_id(t, prefix, r) for t, r in zip(created, rows.tolist(), strict=True)]

    @staticmethod
    def _vocabulary(vocabulary: tuple[tuple[str, int], ...], code: int) -> str | object:
        return ABSENT if code == NONE else vocabulary[code][0]

    def name(self, row: int) -> str:
        table, salt = self.table, int(self.table.salt[row])
        if table.hostile_name[row] != NONE:
            return HOSTILE_REPO_NAMES[table.hostile_name[row]]
        code = _base36(row)
        if table.repo_type == "models":
            family = MODEL_FAMILIES[_bits(salt, 0, len(MODEL_FAMILIES))]
            size = MODEL_SIZES[_bits(salt, 5, len(MODEL_SIZES))]
            variant = MODEL_VARIANTS[_bits(salt, 9, len(MODEL_VARIANTS))]
            return f"{family}-{size}-{variant}-{code}"
        if table.repo_type == "datasets":
            return f"{DATASET_TOPICS[_bits(salt, 0, len(DATASET_TOPICS))]}-{code}"
        return f"{SPACE_TOPICS[_bits(salt, 0, len(SPACE_TOPICS))]}-{code}"

    def repo_id(self, row: int) -> str:
        owner = int(self.table.owner[row])
        # Legacy repos from before namespaces have no owner part.
        return self.name(row) if owner == NONE else f"{self.authors.name(owner)}/{self.name(row)}"

    def author(self, row: int) -> str | object:
        owner = int(self.table.owner[row])
        return ABSENT if owner == NONE else self.authors.name(owner)

    def sha(self, row: int) -> str:
        table = self.table
        seed = f"{table.id_prefix}:{row}:{int(table.modified[row])}".encode()
        return hashlib.blake2b(seed, digest_size=20).hexdigest()

    def tags(self, row: int) -> list[str]:
        table, salt = self.table, int(self.table.salt[row])
        tags: list[str] = []
        if table.repo_type == "models":
            tags.extend(self._model_tags(row, salt))
        elif table.repo_type == "datasets":
            tags.extend(self._dataset_tags(row, salt))
        else:
            tags.append(SPACE_SDKS[table.sdk[row]][0])
        if _bits(salt, 13, 3) == 0:
            language = LANGUAGES[_bits(salt, 15, len(LANGUAGES))]
            # Models carry bare language codes; datasets prefix them as their cards declare them.
            tags.append(f"language:{language}" if table.repo_type == "datasets" else language)
        if _bits(salt, 20, 6) == 0:
            year, month = 18 + _bits(salt, 23, 9), 1 + _bits(salt, 27, 12)
            tags.append(f"arxiv:{year}{month:02d}.{_bits(salt, 31, 100_000):05d}")
        if table.license[row] != NONE:
            tags.append(f"license:{LICENSES[table.license[row]][0]}")
        if table.hostile_tag[row] != NONE:
            tags.append(HOSTILE_STRINGS[table.hostile_tag[row]])
        tags.append("region:eu" if _bits(salt, 50, 20) == 0 else "region:us")
        return tags

    def _model_tags(self, row: int, salt: int) -> list[str]:
        table = self.table
        tags = []
        if table.library[row] != NONE:
            tags.append(LIBRARIES[table.library[row]][0])
        file_format = FILE_FORMATS[_bits(salt, 3, len(FILE_FORMATS))]
        if _bits(salt, 2, 4) != 0 and file_format not in tags:
            tags.append(file_format)
        if table.pipeline[row] != NONE:
            tags.append(PIPELINE_TAGS[table.pipeline[row]][0])
        if _bits(salt, 17, 5) == 0:
            tags.append(f"dataset:{self._declared_dataset(salt)}")
        if table.relation[row] != NONE:
            relation = BASE_MODEL_RELATIONS[table.relation[row]][0]
            parents = [self.repo_id(int(p)) for p in table.parents[row] if p != NONE]
            tags.extend(f"base_model:{parent}" for parent in parents)
            tags.extend(f"base_model:{relation}:{parent}" for parent in parents)
        if self._is_transformers(row):
            tags.append("endpoints_compatible")
        return tags

    def _declared_dataset(self, salt: int) -> str:
        """A dataset a model's card declares: a linked dataset, else a made-up organisation's."""
        if "datasets" in self.linked:
            return self.linked["datasets"].pick(_mixed(salt) >> 8)
        owner = ORG_NAMES[_bits(salt, 35, len(ORG_NAMES))]
        return f"{owner}/{DATASET_TOPICS[_bits(salt, 38, len(DATASET_TOPICS))]}"

    def _dataset_tags(self, row: int, salt: int) -> list[str]:
        table = self.table
        tags = []
        # A card may declare two task categories and two modalities (a quarter of them, here):
        # the second is another one of the vocabulary.
        several = _mixed(salt + _SECOND_CATEGORY)
        if table.pipeline[row] != NONE:
            task = int(table.pipeline[row])
            tags.append(f"task_categories:{PIPELINE_TAGS[task][0]}")
            if _bits(several, 0, 4) == 0:
                other = (task + 1 + _bits(several, 2, len(PIPELINE_TAGS) - 1)) % len(PIPELINE_TAGS)
                tags.append(f"task_categories:{PIPELINE_TAGS[other][0]}")
        if table.hostile_tag[row] != NONE:
            tags.append(f"task_categories:{HOSTILE_STRINGS[table.hostile_tag[row]]}")
        tags.append(f"size_categories:{SIZE_CATEGORIES[_bits(salt, 2, len(SIZE_CATEGORIES))]}")
        tags.append(f"format:{DATASET_FORMATS[_bits(salt, 5, len(DATASET_FORMATS))]}")
        modality = _bits(salt, 8, len(DATASET_MODALITIES))
        tags.append(f"modality:{DATASET_MODALITIES[modality]}")
        if _bits(several, 12, 4) == 0:
            second = (modality + 1 + _bits(several, 14, len(DATASET_MODALITIES) - 1)) % len(
                DATASET_MODALITIES
            )
            tags.append(f"modality:{DATASET_MODALITIES[second]}")
        tags.append("library:datasets")
        return tags

    def siblings(self, row: int) -> list[dict[str, str]]:
        salt = int(self.table.salt[row])
        files = [".gitattributes", "README.md"]
        if self.table.repo_type == "models":
            files += ["config.json", f"model.{FILE_FORMATS[_bits(salt, 3, len(FILE_FORMATS))]}"]
        elif self.table.repo_type == "datasets":
            files.append(f"data/train-00000-of-00001.{DATASET_FORMATS[_bits(salt, 5, 6)]}")
        else:
            files.append("app.py")
        return [{"rfilename": name} for name in files]

    def card_data(self, row: int) -> dict[str, Any] | object:
        table = self.table
        if table.license[row] == NONE:
            return ABSENT
        card: dict[str, Any] = {"license": LICENSES[table.license[row]][0]}
        if table.pipeline[row] != NONE and table.repo_type == "models":
            card["pipeline_tag"] = PIPELINE_TAGS[table.pipeline[row]][0]
        return card

    def _is_transformers(self, row: int) -> bool:
        code = self.table.library[row]
        return code != NONE and LIBRARIES[code][0] == "transformers"

    def config(self, row: int) -> dict[str, Any] | object:
        if not self._is_transformers(row):
            return ABSENT
        family = MODEL_FAMILIES[_bits(int(self.table.salt[row]), 0, len(MODEL_FAMILIES))]
        return {"architectures": [f"{family.title()}ForCausalLM"], "model_type": family}

    def transformers_info(self, row: int) -> dict[str, str] | object:
        if not self._is_transformers(row) or self.table.pipeline[row] == NONE:
            return ABSENT
        return {
            "auto_model": "AutoModel",
            "pipeline_tag": PIPELINE_TAGS[self.table.pipeline[row]][0],
            "processor": "AutoTokenizer",
        }

    def _parameters(self, row: int) -> int:
        fraction = _bits(int(self.table.salt[row]), 44, 1 << 18) / (1 << 18)
        return int(10 ** (_SMALLEST_LOG10 + _LOG10_SPAN * fraction**_SIZE_SKEW))

    def safetensors(self, row: int) -> dict[str, Any] | object:
        """Present exactly for the models tagged `safetensors` (see `_model_tags`)."""
        salt = int(self.table.salt[row])
        if self.table.repo_type != "models" or _bits(salt, 2, 4) == 0:
            return ABSENT
        if FILE_FORMATS[_bits(salt, 3, len(FILE_FORMATS))] != "safetensors":
            return ABSENT
        total = self._parameters(row)
        dtype = SAFETENSORS_DTYPES[_bits(salt, 62 - 3, len(SAFETENSORS_DTYPES))]
        if dtype == "I8":
            # A quantized model keeps some of its weights (norms, embeddings) in half precision.
            return {"parameters": {"F16": total // 10, "I8": total - total // 10}, "total": total}
        return {"parameters": {dtype: total}, "total": total}

    def gguf(self, row: int) -> dict[str, Any] | object:
        code = self.table.library[row]
        if code == NONE or LIBRARIES[code][0] != "gguf":
            return ABSENT
        return {"total": self._parameters(row), "architecture": "llama", "context_length": 8192}

    def mask_token(self, row: int) -> str | object:
        code = self.table.pipeline[row]
        return "[MASK]" if code != NONE and PIPELINE_TAGS[code][0] == "fill-mask" else ABSENT

    def widget_data(self, row: int) -> list[dict[str, str]] | object:
        if self.table.pipeline[row] == NONE:
            return ABSENT
        return [{"text": "Hello, world."}]

    def inference(self, row: int) -> str | object:
        return "warm" if self.table.downloads[row] > 100_000 else ABSENT

    def used_storage(self, row: int) -> int:
        return 4096 + _bits(int(self.table.salt[row]), 30, 10**10)

    def description(self, row: int) -> str:
        return f"A dataset of {self.name(row).rsplit('-', 1)[0]}."

    def citation(self, row: int) -> str | object:
        salt = int(self.table.salt[row])
        if _bits(salt, 20, 6) != 0:
            return ABSENT
        return f"@misc{{{self.name(row).replace('-', '_')}, year={2018 + _bits(salt, 23, 9)}}}"

    def runtime(self, row: int) -> dict[str, Any]:
        mixed = _mixed(int(self.table.salt[row]))
        stage = _weighted(SPACE_STAGES, mixed >> 40)
        requested = _weighted(SPACE_HARDWARE, mixed >> 50)
        if self.table.hostile_tag[row] != NONE:
            stage = requested = HOSTILE_STRINGS[self.table.hostile_tag[row]]
        current = requested if stage == "RUNNING" else None
        return {"stage": stage, "hardware": {"current": current, "requested": requested}}

    def links(self, row: int, repo_type: str, shift: int) -> list[str]:
        """The `repo_type` repos a Space names: four Spaces in ten name models, one in four
        datasets, one to three each (`shift` keeps the two choices apart)."""
        links = self.linked.get(repo_type)
        salt = int(self.table.salt[row])
        mixed = _mixed(salt) >> shift
        share = 40 if repo_type == "models" else 25
        if links is None or mixed % 100 >= share:
            return []
        picks = 1 + (mixed >> 7) % 3
        names = [links.pick(_mixed(salt + shift + 1 + i)) for i in range(picks)]
        return list(dict.fromkeys(names))

    def subdomain(self, row: int) -> str:
        return self.repo_id(row).replace("/", "-").replace("_", "-").replace(".", "-").lower()
