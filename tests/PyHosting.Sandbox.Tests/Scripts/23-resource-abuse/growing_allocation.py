# family: 23
# expect: MemoryError
# Memory the system would grant, taken until PythonRuntime:MemoryLimit (1 GiB by default) refuses it.
# bytes(n) takes zeroed memory from calloc, which the system maps lazily: the limit is reached without
# touching a gigabyte of pages, which on a slow machine takes longer than the fixture's timeout.
def grow():
    hoard = []
    while True:
        hoard.append(bytes(1 << 24))
grow()
