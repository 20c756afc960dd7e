from django.shortcuts import get_object_or_404, render

from recommendations.models import RecommendationSet


def set_list(request):
    sets = RecommendationSet.objects.all()
    return render(request, "recommendations/set_list.html", {"sets": sets})


def set_detail(request, slug):
    rec_set = get_object_or_404(RecommendationSet, slug=slug)
    recommendations = rec_set.recommendations.order_by("number")
    return render(
        request,
        "recommendations/set_detail.html",
        {"rec_set": rec_set, "recommendations": recommendations},
    )
