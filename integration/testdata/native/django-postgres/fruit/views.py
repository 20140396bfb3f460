from django.db import connection
from django.http import HttpResponse


def count(request):
    # The spec's table, made by the test, not a model of this app.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM fruit")
        rows = cursor.fetchone()[0]
    return HttpResponse("rows: %d (Django, %s)" % (rows, connection.vendor))
