"""discussions/movement.py: what moved between two rounds, without Django."""

from hypothesis import given
from hypothesis import strategies as st

from discussions.movement import change, shift

# Places as the lists show them: a permutation of 1..n (ties are tested by hand).
orders = st.integers(min_value=1, max_value=10).flatmap(
    lambda n: st.permutations(list(range(1, n + 1)))
)


def places(order):
    return {item: place for place, item in enumerate(order, start=1)}


@given(orders)
def test_identical_results_move_nothing(order):
    moved = shift(places(order), places(order), agreement_before=0.5, agreement_after=0.5)
    assert all(move.gained == 0 for move in moved.moves)
    assert not moved.any_moved
    assert moved.agreement_change == 0


@given(orders, st.data())
def test_swapping_two_moves_each_by_the_difference(order, data):
    if len(order) < 2:
        return
    i, j = data.draw(
        st.lists(st.sampled_from(range(len(order))), min_size=2, max_size=2, unique=True)
    )
    swapped = list(order)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    moved = {move.item: move.gained for move in shift(places(order), places(swapped)).moves}
    assert moved[order[i]] == i - j
    assert moved[order[j]] == j - i
    assert all(g == 0 for item, g in moved.items() if item not in (order[i], order[j]))


@given(orders, orders)
def test_gains_and_losses_cancel_out(a, b):
    if len(a) != len(b):
        return
    assert sum(move.gained for move in shift(places(a), places(b)).moves) == 0


def test_a_hand_counted_move():
    # Round 1: A 1st, B 2nd, C 3rd, D 4th; round 2: C 1st, A 2nd, D 3rd, B 4th.
    moved = shift({"A": 1, "B": 2, "C": 3, "D": 4}, {"C": 1, "A": 2, "D": 3, "B": 4})
    assert [m.item for m in moved.moves] == ["C", "A", "D", "B"]
    assert {m.item: m.gained for m in moved.moves} == {"C": 2, "A": -1, "D": 1, "B": -2}
    # The biggest changes first; among equals, round 2's order.
    assert [m.item for m in moved.moved] == ["C", "B", "A", "D"]


def test_shared_places_move_by_what_the_lists_show():
    # Round 1: A and B share 1st; round 2: B alone 1st, A 2nd.
    moved = {m.item: m.gained for m in shift({"A": 1, "B": 1}, {"B": 1, "A": 2}).moves}
    assert moved == {"B": 0, "A": -1}


def test_no_place_in_a_round_means_no_movement():
    # A table without ballots in round 1 (it was added for round 2).
    moved = shift({}, {"A": 1, "B": 2})
    assert [m.gained for m in moved.moves] == [None, None]
    assert not moved.any_moved


def test_changes_of_agreement_and_consensus():
    moved = shift(
        {"A": 1},
        {"A": 1},
        agreement_before=0.25,
        agreement_after=0.75,
        consensus_before={"A": 0.5},
        consensus_after={"A": 0.25},
    )
    assert moved.agreement_change == 0.5
    assert moved.moves[0].consensus_change == -0.25
    assert change(None, 1.0) is None
