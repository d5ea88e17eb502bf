"""Languages kg knows, defined once: ISO 639-1 code → English name, and verified Wikidata items.

The record reader finds a record's language by name here (``BY_NAME``); the mapper labels
``crm:E56_Language`` nodes with ``NAMES`` and links them with ``WIKIDATA``.
"""
NAMES = {
    "ar": "Arabic", "bg": "Bulgarian", "cs": "Czech", "da": "Danish", "de": "German",
    "el": "Greek", "en": "English", "es": "Spanish", "et": "Estonian", "fa": "Persian",
    "fi": "Finnish", "fr": "French", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian",
    "hu": "Hungarian", "hy": "Armenian", "id": "Indonesian", "it": "Italian", "ja": "Japanese",
    "ka": "Georgian", "km": "Khmer", "ko": "Korean", "lo": "Lao", "lt": "Lithuanian",
    "lv": "Latvian", "mk": "Macedonian", "mn": "Mongolian", "nl": "Dutch", "no": "Norwegian",
    "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sh": "Serbo-Croatian",
    "sk": "Slovak", "sl": "Slovenian", "sq": "Albanian", "sr": "Serbian", "sv": "Swedish",
    "th": "Thai", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "vi": "Vietnamese",
    "zh": "Chinese",
}
# Only items verified for this project (see data/wikidata/review.tsv for entities).
WIKIDATA = {"ru": "Q7737", "en": "Q1860", "zh": "Q7850", "ko": "Q9176"}
# Lower-case English name (and common alternative names) → code.
BY_NAME = {name.lower(): code for code, name in NAMES.items()} | {"farsi": "fa"}
