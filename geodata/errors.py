"""The error raised for a park that cannot be loaded."""


class ParkError(ValueError):
    """Bad park input. The message is one line naming the file, the layer, the feature id
    and the field, and what was expected."""

    def __init__(self, source, layer=None, feature=None, field=None, problem=""):
        where = [str(source)]
        if layer:
            where.append(f"layer '{layer}'")
        if feature is not None:
            where.append(f"feature '{feature}'")
        if field:
            where.append(f"field '{field}'")
        message = f"{', '.join(where)}: {problem}"
        # Ids and values come from the file: a line break or other control character in one
        # is written escaped, so that the message stays one line.
        super().__init__("".join(c if c.isprintable() else repr(c)[1:-1] for c in message))
