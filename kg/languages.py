"""Languages kg knows: ISO 639-1 code → (English name, verified Wikidata item)."""
LANGUAGES = {
    "ru": ("Russian", "Q7737"),
    "en": ("English", "Q1860"),
    "zh": ("Chinese", "Q7850"),
    "ko": ("Korean", "Q9176"),
    "de": ("German", None),
    "fr": ("French", None),
}
BY_NAME = {name.lower(): code for code, (name, _) in LANGUAGES.items()}
