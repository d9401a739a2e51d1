from genls.assist.suggestion_cache import SuggestionCache


def test_typing_the_suggestion_trims_it():
    cache = SuggestionCache()
    cache.put("u", "def f():\n    re", "\n", "turn 42")
    assert cache.get("u", "def f():\n    re", "\n").text == "turn 42"
    assert cache.get("u", "def f():\n    retu", "\n").text == "rn 42"
    assert cache.get("u", "def f():\n    return 4", "\n").text == "2"


def test_typing_something_else_misses():
    cache = SuggestionCache()
    cache.put("u", "x = ", "\n", "compute()")
    assert cache.get("u", "x = d", "\n") is None
    assert cache.get("u", "x = ", "\nother") is None  # the suffix changed
    assert cache.get("v", "x = ", "\n") is None  # another document


def test_fully_typed_suggestion_is_not_offered_again():
    cache = SuggestionCache()
    cache.put("u", "x = ", "\n", "1")
    assert cache.get("u", "x = 1", "\n") is None


def test_capacity_evicts_oldest():
    cache = SuggestionCache(capacity=2)
    for i in range(3):
        cache.put("u", f"p{i}", "", f"s{i}")
    assert cache.get("u", "p0", "") is None
    assert cache.get("u", "p2", "").text == "s2"


def test_an_empty_answer_is_remembered_for_that_exact_point():
    cache = SuggestionCache()
    cache.put("u", "x = 1\n", "", "")
    assert cache.get("u", "x = 1\n", "").text == ""
    assert cache.get("u", "x = 1\ny", "") is None


def test_a_hit_says_who_computed_it():
    cache = SuggestionCache()
    cache.put("u", "x = ", "\n", "compute()", origin="speculation")
    cache.put("u", "y = ", "\n", "other()")
    assert cache.get("u", "x = co", "\n")[:2] == ("mpute()", "speculation")
    assert cache.get("u", "y = ", "\n").origin == "model"
