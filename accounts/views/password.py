"""Live password-strength feedback for the signup and password forms (progressive enhancement)."""

from allauth.core import ratelimit
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.views.decorators.http import require_POST


@require_POST
def password_check(request):
    """Run the real password validators on a candidate; nothing is stored or logged."""
    if not ratelimit.consume(request, action="password_check"):
        return JsonResponse({"error": "Too many checks; try again in a minute."}, status=429)
    if request.user.is_authenticated:
        user = request.user
    else:
        # An unsaved user so the similarity check sees the username and email being registered.
        user = get_user_model()(
            username=request.POST.get("username", "")[:150], email=request.POST.get("email", "")[:254]
        )
    try:
        validate_password(request.POST.get("password", "")[:4096], user)
    except ValidationError as exc:
        return JsonResponse({"ok": False, "problems": list(exc.messages)})
    return JsonResponse({"ok": True, "problems": []})
