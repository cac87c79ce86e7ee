"""JSON from a request body, read the one strict way (the API's parser and the cite view).

Python's json module recurses once per nesting level, so a body nested 100,000 levels deep
exhausts the stack (RecursionError), and it turns a `\\ud800` escape into a lone surrogate,
which no database can encode. Both are the client's error: InvalidJSON, a ValueError, with a
message that says where."""

import json

# Far deeper than any record of ours (aliases are a list of names); shallow enough that
# validating and saving the value never comes near Python's recursion limit.
MAX_DEPTH = 32


class InvalidJSON(ValueError):
    pass


def load_json(text: str | bytes):
    try:
        data = json.loads(text, parse_constant=refuse_constant)
    except RecursionError:
        raise InvalidJSON(f"JSON nested too deeply: at most {MAX_DEPTH} levels.") from None
    except (ValueError, TypeError) as error:
        raise InvalidJSON(f"Not JSON: {error}") from None
    check_json(data)
    return data


def refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def check_json(data) -> None:
    """Refuse values nested deeper than MAX_DEPTH and texts that are not valid Unicode (a walk
    without recursion: it runs on whatever json.loads() returned)."""
    pending = [(data, 0, "")]
    while pending:
        value, depth, path = pending.pop()
        if depth > MAX_DEPTH:
            raise InvalidJSON(f"JSON nested too deeply: at most {MAX_DEPTH} levels.")
        if isinstance(value, dict):
            for key, item in value.items():
                check_text(key, path or "a key")
                pending.append((item, depth + 1, f"{path}.{key}" if path else key))
        elif isinstance(value, list):
            pending.extend((item, depth + 1, f"{path}[{index}]") for index, item in enumerate(value))
        elif isinstance(value, str):
            check_text(value, path or "the body")


def check_text(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidJSON(
            f"{path}: not valid Unicode text (a lone surrogate escape such as \\ud800)."
        ) from None
