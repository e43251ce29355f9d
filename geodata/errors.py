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
        super().__init__(f"{', '.join(where)}: {problem}")
