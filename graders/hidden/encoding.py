"""Hidden check for one_hot: agreement with the reference."""

from __future__ import annotations

import numpy as np

from graders.checks.core import Inputs, Student, call_with, expect_close, prove
from graders.strategies.encoding import LABELS
from reference import encoding as ref


def check_one_hot_matches_reference(student: Student) -> None:
    """one_hot agrees with the reference for any labels and number of classes"""

    def agrees(case: tuple[np.ndarray, int]) -> None:
        y, n_classes = case
        inputs = Inputs(("y", "n_classes"), case)
        got = call_with(student, "one_hot", ("y", "n_classes"), case)
        expect_close(got, ref.one_hot(y, n_classes), "one_hot", function="one_hot", inputs=inputs)

    prove(agrees, LABELS)
