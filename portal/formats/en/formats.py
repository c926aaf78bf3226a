# The same shapes as in Indonesian, so a time reads 09.00 (WITA) in both languages.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H.i"
TIME_FORMAT = "H.i"
SHORT_DATETIME_FORMAT = "d-m-Y H.i"
