from django.urls import path

from spinepath.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("report.pdf", views.report_pdf, name="report_pdf"),
    path("tables/<str:name>.csv", views.table_csv, name="table_csv"),
    path("charts/<str:key>.svg", views.chart_svg, name="chart"),
]
