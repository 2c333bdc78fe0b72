# family: 23
# expect: MemoryError
# Memory the system would grant, taken until PythonRuntime:MemoryLimit (1 GiB by default) refuses it.
def grow():
    hoard = []
    while True:
        hoard.append(bytearray(1 << 24))
grow()
