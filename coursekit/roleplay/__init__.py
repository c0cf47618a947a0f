"""Role-play quizzes: attempts saved step by step, played and reviewed in the browser."""
