import Testing

extension Tag {
    /// Tests that plan, bound or import the repository's real models (`graphs/`, `models/`): the
    /// slow ones. Their outcomes never depend on the machine's speed (no wall-clock limit decides
    /// what they prove), only their run time does.
    @Tag static var realModel: Self
}
