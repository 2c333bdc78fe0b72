# family: 4
# expect: OSError | ValueError
# select.select on a descriptor the runtime did not open.
import select
select.select([5], [], [], 0)
