"""The app's prompt-template box: it holds all of the model's templates, and the app averages them as the
Python API and the CLI do (a box with only the first template made the app disagree with `model.explain`)."""

from alt.validate import split_templates


def test_the_box_splits_on_bars_and_an_empty_box_means_the_models_own():
    assert split_templates("{} | a photo of {}") == ["{}", "a photo of {}"]
    assert split_templates("a video of a person {}.") == ["a video of a person {}."]
    assert split_templates("") is None and split_templates(None) is None and split_templates(" | ") is None


def test_the_default_box_gives_back_the_models_templates():
    from alt.hub.specs import spec_config

    for spec in ("tiny", "world"):
        templates = list(spec_config(spec).prompt_templates)
        assert split_templates(" | ".join(templates)) == templates
