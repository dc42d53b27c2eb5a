"""Per-sequence (variational) dropout masks for recurrent cells.

Dropping different units at every time step disrupts the memory an RNN carries,
so recurrent dropout uses one mask per sequence, reused at every step (Gal &
Ghahramani, 2016). A cell cannot know where a sequence starts, so whoever runs
the loop draws the masks before the first step and clears them after the last:

```python
prepare_dropout_masks(cell, sequences[:, 0], initial_states)
try:
    ...  # call `cell(x_t, states, training=True)` at every step
finally:
    reset_dropout_masks(cell)
```

`seqkeras.layers.VanillaRNN`, `seqkeras.layers.LSTM`, `seqkeras.layers.GRU` and
`seqkeras.layers.AttentionDecoder` do this. The two functions work on any cell
that has the methods of `DropoutMaskMixin` (Keras's own cells have them too)
and recurse into `keras.layers.StackedRNNCells`.
"""

import keras
from keras import ops

from seqkeras.utils.arguments import invalid


class DropoutMaskMixin:
    """Dropout-mask methods for a recurrent cell, named as in Keras's cells.

    The cell using this mixin must set `dropout`, `recurrent_dropout` (rates
    in [0, 1)) and `seed_generator` (a `keras.random.SeedGenerator`).

    `get_dropout_mask` and `get_recurrent_dropout_mask` draw a mask on first
    use and return the cached one afterwards, until `reset_dropout_mask` /
    `reset_recurrent_dropout_mask`. Inside its `call`, a cell asks for
    `step_dropout_mask` / `step_recurrent_dropout_mask`, which return the
    cached mask when the loop prepared one and otherwise draw a fresh mask for
    this step only, without caching it. The second case is what happens when
    the cell runs inside plain `keras.layers.RNN`: dropout still works, but
    the mask changes from step to step.
    """

    def get_dropout_mask(self, step_input):
        """The cached input mask (drawn now if none), or `None` at rate 0."""
        if getattr(self, "_dropout_mask", None) is None and self.dropout > 0:
            self._dropout_mask = _draw_mask(step_input, self.dropout, self.seed_generator)
        return getattr(self, "_dropout_mask", None)

    def get_recurrent_dropout_mask(self, step_input):
        """The cached state mask (drawn now if none), or `None` at rate 0."""
        if getattr(self, "_recurrent_dropout_mask", None) is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = _draw_mask(
                step_input, self.recurrent_dropout, self.seed_generator
            )
        return getattr(self, "_recurrent_dropout_mask", None)

    def reset_dropout_mask(self):
        """Forget the cached input mask."""
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        """Forget the cached state mask."""
        self._recurrent_dropout_mask = None

    def step_dropout_mask(self, step_input):
        """The input mask for one step: the cached one, else a fresh one."""
        mask = getattr(self, "_dropout_mask", None)
        if mask is None and self.dropout > 0:
            # Not cached: a tensor made inside a symbolic loop body must not
            # outlive it.
            mask = _draw_mask(step_input, self.dropout, self.seed_generator)
        return mask

    def step_recurrent_dropout_mask(self, step_input):
        """The state mask for one step: the cached one, else a fresh one."""
        mask = getattr(self, "_recurrent_dropout_mask", None)
        if mask is None and self.recurrent_dropout > 0:
            mask = _draw_mask(step_input, self.recurrent_dropout, self.seed_generator)
        return mask


def prepare_dropout_masks(cell, first_step_input, states):
    """Draw and cache the dropout masks `cell` will use for one sequence.

    Args:
        cell: a cell with the `DropoutMaskMixin` methods, a
            `keras.layers.StackedRNNCells` of such cells, or any other cell
            (left alone).
        first_step_input: the input of the first step, `(batch, features)`;
            only its shape and dtype matter.
        states: the cell's states (a tensor, or a list whose first entry is
            the recurrent output `h`); for stacked cells, one entry per cell.
    """
    if hasattr(cell, "get_dropout_mask") and hasattr(cell, "get_recurrent_dropout_mask"):
        cell.get_dropout_mask(first_step_input)
        cell.get_recurrent_dropout_mask(_first_state(states))
    inner_cells = getattr(cell, "cells", None)
    if not inner_cells:
        # A single cell's states may be one tensor (`state_size` an int),
        # which must not be iterated in a graph.
        return
    for inner_cell, inner_states in zip(inner_cells, states):
        prepare_dropout_masks(inner_cell, first_step_input, inner_states)
        # Each cell's masks take the shape of its own input: the previous
        # cell's output.
        first_step_input = ops.zeros(
            (ops.shape(first_step_input)[0], _output_size(inner_cell)),
            dtype=first_step_input.dtype,
        )


def reset_dropout_masks(cell):
    """Clear the masks `prepare_dropout_masks` cached on `cell`."""
    if hasattr(cell, "reset_dropout_mask"):
        cell.reset_dropout_mask()
    if hasattr(cell, "reset_recurrent_dropout_mask"):
        cell.reset_recurrent_dropout_mask()
    for inner_cell in getattr(cell, "cells", ()):
        reset_dropout_masks(inner_cell)


def check_seed(seed):
    """Return `seed` if it is an integer or `None`, else raise `ValueError`."""
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise invalid("seed", "an integer or None", seed)
    return seed


def _draw_mask(step_input, rate, seed_generator):
    return keras.random.dropout(ops.ones_like(step_input), rate=rate, seed=seed_generator)


def _first_state(states):
    return states[0] if isinstance(states, (list, tuple)) else states


def _output_size(cell):
    size = getattr(cell, "output_size", None)
    if size is None:
        size = cell.state_size
        if isinstance(size, (list, tuple)):
            size = size[0]
    return size
