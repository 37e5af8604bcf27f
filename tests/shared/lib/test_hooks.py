"""A hook calls the receivers the apps above connected, in order, each once."""

from govservice.lib.hooks import Hook


def test_it_calls_every_receiver_in_the_order_connected():
    hook: Hook = Hook("something happened")
    calls = []
    hook.connect(lambda *, n: calls.append(("first", n)))
    hook.connect(lambda *, n: calls.append(("second", n)))

    for receiver in hook.receivers():
        receiver(n=7)

    assert calls == [("first", 7), ("second", 7)]


def test_it_counts_a_receiver_connected_twice_once():
    hook: Hook = Hook("something happened")

    def receiver() -> None: ...

    hook.connect(receiver)
    hook.connect(receiver)

    assert hook.receivers() == (receiver,)


def test_it_has_no_receivers_until_one_connects():
    assert Hook("nothing yet").receivers() == ()
