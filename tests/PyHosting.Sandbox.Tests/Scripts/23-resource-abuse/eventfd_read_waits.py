# family: 23
# expect: timeout
# A blocking read of an eventfd whose counter stays zero, then a splice from an empty pipe: each waits, and the call's
# timeout ends the wait. The descriptors belong to file objects that close with the frame.
import os
def wait():
    e = open(os.eventfd(0), 'rb', buffering=0)
    r, w = os.pipe()
    reader, writer = open(r, 'rb', buffering=0), open(w, 'wb', buffering=0)
    sink = open(os.memfd_create('sink'), 'wb', buffering=0)
    try:
        os.eventfd_read(e.fileno())
    finally:
        os.splice(reader.fileno(), sink.fileno(), 1)
wait()
