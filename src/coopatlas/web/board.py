"""The partner exchange board ("bourse aux partenariats", /bourse/): posts found by filters and
on a map of their countries, posted by those who keep an authority's records, answered inside
the app (the answer reaches the posting authority on the post and on "Mes partenariats")."""

from collections import Counter
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coopatlas.accounts.permissions import may
from coopatlas.atlas.choices import BoardPostKind
from coopatlas.atlas.models import FRANCE, BoardPost, Organisation, Theme
from coopatlas.atlas.services.board import (
    board_answer_add,
    board_answers_read,
    board_post_close,
    board_post_create,
)
from coopatlas.insights.board import current_posts
from coopatlas.places.models import Country
from coopatlas.places.overseas import FRENCH_OVERSEAS
from coopatlas.web.accounts import login_required
from coopatlas.web.forms import add_service_error


def _kept_organisations(user):
    """The organisations whose records the user keeps as an editor (those it may post for)."""
    return Organisation.objects.edited_by(user).order_by("name")


def _partner_countries():
    return Country.objects.exclude(iso2__in=[FRANCE, *FRENCH_OVERSEAS]).order_by("name_fr")


class FilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Mots"), required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("Annonce"),
        choices=[("", gettext_lazy("Toutes")), *BoardPostKind.choices],
        required=False,
    )
    pays = forms.ModelChoiceField(
        label=gettext_lazy("Pays"), queryset=_partner_countries(), required=False, to_field_name="iso2"
    )
    theme = forms.ModelChoiceField(
        label=gettext_lazy("Thème"),
        queryset=Theme.objects.filter(level=1).order_by("position", "name_fr"),
        required=False,
    )


class PostForm(forms.ModelForm):
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Au nom de"), queryset=Organisation.objects.none()
    )
    countries = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Pays recherchés"),
        queryset=_partner_countries(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    themes = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Thèmes"),
        queryset=Theme.objects.order_by("level", "position", "name_fr"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = BoardPost
        fields = (
            "organisation",
            "kind",
            "title",
            "description",
            "countries",
            "zone",
            "themes",
            "partner_size",
            "until",
        )
        widgets = {
            "until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()


class AnswerForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Votre réponse"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Au nom de"), queryset=Organisation.objects.none(), required=False
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


def filtered_posts(data) -> tuple[FilterForm, object]:
    """The current posts the filters keep, newest first (one definition for the page and the map)."""
    form = FilterForm(data or None)
    posts = current_posts().select_related("organisation").prefetch_related("countries", "themes")
    if form.is_valid():
        query = form.cleaned_data
        if query["q"]:
            words = query["q"].split()
            for word in words[:8]:
                posts = posts.filter(
                    Q(title__icontains=word)
                    | Q(description__icontains=word)
                    | Q(organisation__name__icontains=word)
                    | Q(zone__icontains=word)
                )
        if query["kind"]:
            posts = posts.filter(kind=query["kind"])
        if query["pays"] is not None:
            posts = posts.filter(countries=query["pays"])
        if query["theme"] is not None:
            theme = query["theme"]
            posts = posts.filter(Q(themes=theme) | Q(themes__parent=theme) | Q(themes__parent__parent=theme))
    return form, posts.distinct()


def board(request: HttpRequest) -> HttpResponse:
    form, posts = filtered_posts(request.GET)
    return render(
        request,
        "web/board.html",
        {
            "form": form,
            "posts": posts[:100],
            "count": posts.count(),
            "may_post": _kept_organisations(request.user).exists(),
        },
    )


def board_countries_json(request: HttpRequest) -> JsonResponse:
    """Posts per country for the board's map, keyed like the atlas map's shapes (ISO numeric)."""
    _form, posts = filtered_posts(request.GET)
    counts = Counter(
        BoardPost.countries.through.objects.filter(boardpost__in=posts.values("pk")).values_list(
            "country_id", flat=True
        )
    )
    return JsonResponse(
        {
            country.numeric or country.iso2: {
                "iso2": country.iso2,
                "name": country.display_name,
                "count": counts[country.iso2],
                "search": f"/bourse/?pays={country.iso2}",
            }
            for country in Country.objects.filter(iso2__in=counts)
        }
    )


@login_required
def post_new(request: HttpRequest) -> HttpResponse:
    organisations = _kept_organisations(request.user)
    if not organisations.exists():
        raise PermissionDenied(_("Publier une annonce demande d'être éditeur d'une collectivité."))
    form = PostForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            post = board_post_create(
                acting_user=request.user,
                countries=data["countries"],
                themes=data["themes"],
                **{name: data[name] for name in PostForm.Meta.fields if name not in ("countries", "themes")},
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Annonce publiée sur la bourse aux partenariats."))
            return redirect(post.get_absolute_url())
    return render(
        request, "web/board_post_form.html", {"form": form}, status=400 if request.method == "POST" else 200
    )


@dataclass
class Thread:
    post: BoardPost
    answers: list
    may_answer: bool
    is_poster: bool
    may_close: bool


def board_post(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(BoardPost.objects.select_related("organisation"), pk=pk)
    # its authority's editors read the answers (and mark them read); its keepers may close it
    is_poster = _kept_organisations(request.user).filter(pk=post.organisation_id).exists()
    may_close = may(request.user, "board_post", post.organisation)
    if not post.is_current and not may_close:
        raise Http404(_("Aucune annonce ouverte de ce numéro."))
    organisations = _kept_organisations(request.user).exclude(pk=post.organisation_id)
    form = AnswerForm(request.POST or None, organisations=organisations)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/connexion/?next={post.get_absolute_url()}")
        if request.POST.get("close") and may_close:
            board_post_close(post, acting_user=request.user)
            messages.success(request, _("Annonce close."))
            return redirect(post.get_absolute_url())
        if form.is_valid():
            try:
                board_answer_add(
                    post,
                    message=form.cleaned_data["message"],
                    organisation=form.cleaned_data["organisation"],
                    acting_user=request.user,
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Réponse envoyée : la collectivité la lira dans l'application."))
                return redirect(post.get_absolute_url())
    if is_poster:
        answers = list(post.answers.select_related("author", "organisation"))
        board_answers_read(post, acting_user=request.user)
    elif request.user.is_authenticated:
        answers = list(post.answers.filter(author=request.user).select_related("organisation"))
    else:
        answers = []
    thread = Thread(
        post,
        answers,
        request.user.is_authenticated and post.is_current and not is_poster,
        is_poster,
        may_close,
    )
    return render(
        request,
        "web/board_post.html",
        {"t": thread, "form": form},
        status=400 if request.method == "POST" else 200,
    )
