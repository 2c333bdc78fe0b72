# family: 5
# expect: ValueError
# zoneinfo refuses keys that normalise outside its search path before anything is opened.
import zoneinfo
zoneinfo.ZoneInfo('../../../etc/passwd')
