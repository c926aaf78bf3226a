# One way to write dates and times everywhere (pages, messages, PDFs): 15 Juli 2024, 09.00 (WITA).
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H.i"
TIME_FORMAT = "H.i"
SHORT_DATETIME_FORMAT = "d-m-Y H.i"
