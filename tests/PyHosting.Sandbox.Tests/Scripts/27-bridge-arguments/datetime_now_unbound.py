# family: 27
# expect: TypeError
# The managed datetime.now taken unbound from the class __dict__ and called without its class.
import datetime
datetime.datetime.__dict__['now'].__func__()
