using Microsoft.AspNetCore.Components;
using NetLab.Web.Courses;
using NetLab.Web.Model;
using NetLab.Web.Store;

namespace NetLab.Web.Components.Pages;

/// <summary>An instructor's courses (and a new one); a student's enrolled courses.</summary>
public sealed partial class Courses
{
    [Inject]
    private CourseStore Store { get; set; } = default!;

    [Inject]
    private CurrentUser User { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    private IReadOnlyList<Course> CourseList { get; set; } = [];

    private bool IsInstructor => User.Role == UserRole.Instructor;

    private string? NewCourseName { get; set; }

    private string? Refusal { get; set; }

    protected override async Task OnInitializedAsync() => CourseList = await Store.ListCoursesAsync(User);

    private async Task CreateAsync()
    {
        var created = await Store.CreateCourseAsync(User, NewCourseName ?? string.Empty);
        if (!created.Succeeded)
        {
            Refusal = string.Join("; ", created.Problems.Select(p => $"{p.Message} ({p.Hint})"));
            return;
        }

        Navigation.NavigateTo($"courses/{created.Value!.Id}");
    }
}
