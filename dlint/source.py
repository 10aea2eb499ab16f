"""Positions in a Dockerfile and text that remembers where each character came from.

Every finding points at a 1-based line and column (columns count characters, not bytes;
``end_column`` is exclusive, as in SARIF). Instruction arguments are stitched together from
several physical lines (continuations, skipped comments), so they are kept as a
:class:`MappedText` that maps any offset back to its line and column.
"""

from __future__ import annotations

from bisect import bisect_right

from dlint.startup import NamedTuple


class Span(NamedTuple):
    # A NamedTuple, not a frozen dataclass: tens of thousands are made per corpus run and a
    # frozen dataclass's __init__ costs about twice as much. Same fields, order, equality, hash
    # and repr; being a tuple, it also unpacks and equals a plain tuple of the same numbers.
    line: int
    column: int
    end_line: int
    end_column: int

    @classmethod
    def point(cls, line: int, column: int, length: int = 1) -> "Span":
        return cls(line, column, line, column + length)


_new_tuple = tuple.__new__  # _new_tuple(Span, (1, 2, 1, 5)) == Span(1, 2, 1, 5), made faster


class MappedText:
    """A string built from pieces of source lines, each piece knowing its origin."""

    __slots__ = ("_pieces", "_length", "_text", "_starts", "_origins")

    def __init__(self) -> None:
        self._pieces: list[str] = []
        self._length = 0
        self._text: str | None = None
        self._starts: list[int] = []  # offset in ``text`` where each piece starts
        self._origins: list[tuple[int, int]] = []  # (line, column) of each piece

    @classmethod
    def of(cls, pieces: list[str], origins: list[tuple[int, int]]) -> "MappedText":
        """The text of ``pieces`` (none empty), each from its (line, column) in ``origins``:
        what appending them one by one makes, in one step (the scanner makes one per
        instruction)."""
        text = cls.__new__(cls)
        text._pieces = pieces
        text._origins = origins
        if len(pieces) == 1:
            text._starts = [0]
            text._text = pieces[0]
            text._length = len(pieces[0])
            return text
        starts = []
        length = 0
        for piece in pieces:
            starts.append(length)
            length += len(piece)
        text._starts = starts
        text._length = length
        text._text = None
        return text

    @staticmethod
    def one(piece: str, line: int, column: int) -> "MappedText":
        """``of([piece], [(line, column)])`` (``piece`` not empty) in one object: most
        instructions are one line."""
        return _OnePiece(piece, line, column)

    def append(self, piece: str, line: int, column: int) -> None:
        if not piece:
            return
        # Pieces are joined once, on first use: repeated ``+=`` is quadratic on long RUNs.
        self._starts.append(self._length)
        self._origins.append((line, column))
        self._pieces.append(piece)
        self._length += len(piece)
        self._text = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "".join(self._pieces)
        return self._text

    def single_line_origin(self) -> tuple[int, int] | None:
        """(line, column) of the first character when the text is one piece of one line."""
        return self._origins[0] if len(self._origins) == 1 else None

    def slice(self, start: int) -> "MappedText":
        """The text from ``start`` on, each piece still knowing where it came from."""
        result = MappedText()
        for piece_start, (line, column), piece in zip(self._starts, self._origins, self._pieces):
            if piece_start + len(piece) <= start:
                continue
            cut = max(start - piece_start, 0)
            result.append(piece[cut:], line, column + cut)
        return result

    def position(self, offset: int) -> tuple[int, int]:
        """Line and column of the character at ``offset`` (an end offset maps past its piece)."""
        if not self._starts:
            return (0, 0)
        index = max(bisect_right(self._starts, offset) - 1, 0)
        line, column = self._origins[index]
        return line, column + offset - self._starts[index]

    def span(self, start: int, end: int) -> Span:
        # Called for every shell word whose position a rule reads (34,000 times over the
        # benchmark corpus): the Spans are made with tuple.__new__, which is what Span(…) calls
        # through a generated Python function, and ``max`` is an ``if``: 680 -> 470 ns a call.
        starts = self._starts
        if not starts:  # empty text: position() maps every offset to (0, 0)
            return Span(0, 0, 0, 0 if end <= start else 1)
        index = bisect_right(starts, start) - 1
        if index < 0:
            index = 0
        line, column = self._origins[index]
        column += start - starts[index]
        if end <= start:
            return _new_tuple(Span, (line, column, line, column))
        # Most spans are one word inside one piece: then the end needs no second search.
        if index + 1 < len(starts) and end - 1 >= starts[index + 1]:
            end_line, end_column = self.position(end - 1)
            return _new_tuple(Span, (line, column, end_line, end_column + 1))
        return _new_tuple(Span, (line, column, line, column + end - start))

    def __repr__(self) -> str:
        return f"MappedText({self.text!r})"


class _OnePiece(MappedText):
    """A text of one piece (what ``MappedText.one`` makes): the piece and its origin, without
    the lists of pieces, starts and origins (three objects less for each one-line instruction,
    to make and to free) and without a search for the piece of an offset. Never appended to."""

    __slots__ = ("_line", "_column")

    def __init__(self, piece: str, line: int, column: int) -> None:  # not MappedText's: no lists
        self._text = piece
        self._line = line
        self._column = column

    def single_line_origin(self) -> tuple[int, int] | None:
        return (self._line, self._column)

    def slice(self, start: int) -> MappedText:
        result = MappedText()
        if len(self._text) > start:
            cut = max(start, 0)
            result.append(self._text[cut:], self._line, self._column + cut)
        return result

    def position(self, offset: int) -> tuple[int, int]:
        return self._line, self._column + offset

    def span(self, start: int, end: int) -> Span:
        line = self._line
        column = self._column + start
        return _new_tuple(Span, (line, column, line, column + end - start if end > start else column))
