# family: 16
# expect: ModuleNotFoundError
# import clr.
import clr
