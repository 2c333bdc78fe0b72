# family: 23
# expect: ValueError
# Endless iterators as select's lists and as the descriptor lists of poll's host wait: read up to the
# descriptor table's size, then refused, never looping in the host.
import itertools, select
try:
    select.select(itertools.count(), [], [], 0)
    raise AssertionError('select read an endless list')
except ValueError:
    pass
type(select.poll())._wait(itertools.repeat(0), itertools.repeat(1), 0)
