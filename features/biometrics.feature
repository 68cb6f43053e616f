Feature: Biometric attributes 50 to 65
  Keys 50 to 65 each hold an array of biometric entries for one body part or the
  voice. An entry is a map: the data as bytes under 0, and optionally its format
  under 1, its sub-format under 2 (read by the format's own table) and its issuer
  under 3. A verifier returns every entry as written, several per attribute
  included, and keeps keys 66 to 74 as unknown keys.

  @C169-BIO-001 @C169-BIO-010 @must @verify @EdDSA
  Scenario Outline: Biometric attribute <key> (<name>) with one image entry is read back
    Given a credential
    And its attribute "<name>" is [{"data": "ffd8ffe00000000000000000", "format": 0, "subFormat": 1}]
    When the implementation decodes it
    Then it is accepted
    And the decoded attribute "<key>" is [{"0": {"bstr": "ffd8ffe00000000000000000"}, "1": 0, "2": 1}]

    @C169-BIO-150
    Examples: rightThumb
      | key | name       |
      | 50  | rightThumb |

    @C169-BIO-151
    Examples: rightPointerFinger
      | key | name               |
      | 51  | rightPointerFinger |

    @C169-BIO-152
    Examples: rightMiddleFinger
      | key | name              |
      | 52  | rightMiddleFinger |

    @C169-BIO-153
    Examples: rightRingFinger
      | key | name            |
      | 53  | rightRingFinger |

    @C169-BIO-154
    Examples: rightLittleFinger
      | key | name              |
      | 54  | rightLittleFinger |

    @C169-BIO-155
    Examples: leftThumb
      | key | name      |
      | 55  | leftThumb |

    @C169-BIO-156
    Examples: leftPointerFinger
      | key | name              |
      | 56  | leftPointerFinger |

    @C169-BIO-157
    Examples: leftMiddleFinger
      | key | name             |
      | 57  | leftMiddleFinger |

    @C169-BIO-158
    Examples: leftRingFinger
      | key | name           |
      | 58  | leftRingFinger |

    @C169-BIO-159
    Examples: leftLittleFinger
      | key | name             |
      | 59  | leftLittleFinger |

    @C169-BIO-160
    Examples: rightIris
      | key | name      |
      | 60  | rightIris |

    @C169-BIO-161
    Examples: leftIris
      | key | name     |
      | 61  | leftIris |

    @C169-BIO-162
    Examples: face
      | key | name |
      | 62  | face |

    @C169-BIO-163
    Examples: rightPalmPrint
      | key | name           |
      | 63  | rightPalmPrint |

    @C169-BIO-164
    Examples: leftPalmPrint
      | key | name          |
      | 64  | leftPalmPrint |

    @C169-BIO-165
    Examples: voice
      | key | name  |
      | 65  | voice |

  @C169-BIO-014 @C169-BIO-012 @must @verify @EdDSA
  Scenario Outline: An image entry with sub-format <sub> is accepted
    Given a credential
    And its attribute "face" is [{"data": "ffd8ffe0aabbccdd", "format": 0, "subFormat": <sub>}]
    When the implementation decodes it
    Then it is accepted

    Examples:
      | sub |
      | 0   |
      | 1   |
      | 2   |
      | 3   |
      | 4   |
      | 5   |
      | 6   |
      | 100 |
      | 150 |
      | 200 |

  @C169-BIO-015 @C169-BIO-012 @must @verify @EdDSA
  Scenario Outline: A template entry with sub-format <sub> is accepted
    Given a credential
    And its attribute "rightThumb" is [{"data": "464d520020323000", "format": 1, "subFormat": <sub>}]
    When the implementation decodes it
    Then it is accepted

    Examples:
      | sub |
      | 0   |
      | 1   |
      | 2   |
      | 100 |
      | 200 |

  @C169-BIO-016 @must @verify @EdDSA
  Scenario Outline: A sound entry with sub-format <sub> is accepted
    Given a credential
    And its attribute "voice" is [{"data": "52494646", "format": 2, "subFormat": <sub>}]
    When the implementation decodes it
    Then it is accepted

    Examples:
      | sub |
      | 0   |
      | 1   |

  @C169-BIO-011 @may @verify @EdDSA
  Scenario Outline: A bio hash entry takes any sub-format (<sub>)
    Given a credential
    And its attribute "rightIris" is [{"data": "464d520020323000", "format": 3, "subFormat": <sub>}]
    When the implementation decodes it
    Then it is accepted

    Examples:
      | sub   |
      | 0     |
      | 7     |
      | 12345 |

  @C169-BIO-010 @C169-BIO-011 @must @verify @EdDSA
  Scenario: An entry with nothing but its data is accepted
    Given a credential
    And its attribute "face" is [{"data": "ffd8ffe000104a464946"}]
    When the implementation decodes it
    Then it is accepted
    And the decoded attribute "62" is [{"0": {"bstr": "ffd8ffe000104a464946"}}]

  @C169-BIO-013 @may @verify @EdDSA
  Scenario: An entry naming its issuer keeps the issuer
    Given a credential
    And its attribute "leftIris" is [{"data": "89504e470d0a1a0a", "format": 0, "subFormat": 0, "issuer": "IrisVendor Ltd"}]
    When the implementation decodes it
    Then it is accepted
    And the decoded attribute "61" is [{"0": {"bstr": "89504e470d0a1a0a"}, "1": 0, "2": 0, "3": "IrisVendor Ltd"}]

  @C169-BIO-001 @must @verify @EdDSA
  Scenario: Several captures of one body part are all returned
    Given a credential
    And its attribute "rightThumb" is [{"data": "ffd8ffe0", "format": 0, "subFormat": 6}, {"data": "464d520020323000", "format": 1, "subFormat": 1}]
    And its attribute "face" is [{"data": "ffd8ffe001", "format": 0, "subFormat": 1}, {"data": "ffd8ffe002", "format": 0, "subFormat": 4}, {"data": "ffd8ffe003", "format": 0, "subFormat": 3}]
    When the implementation decodes it
    Then it is accepted

  @C169-BIO-001 @must @verify @EdDSA
  Scenario Outline: The biometric identities of the corpus decode (<identity>)
    Given a credential for the "<identity>" identity
    When the implementation decodes it
    Then it is accepted

    Examples:
      | identity       |
      | face           |
      | fingerprints   |
      | all-biometrics |

  # Accepting it is the text's (vectors bio-future-key-*); returning it is the profile's preference.
  @C169-BIO-019 @C169-CLAIM-162 @profile @verify @EdDSA
  Scenario Outline: A key reserved for future biometrics is returned as an unknown key, as the strict profile prefers (<key>)
    Given a credential
    And its attribute "<key>" is [{"0": {"bstr": "00ff"}, "1": 0, "2": 1}]
    When the implementation decodes it
    Then it is accepted
    And the decoded attribute "<key>" is [{"0": {"bstr": "00ff"}, "1": 0, "2": 1}]

    Examples:
      | key |
      | 66  |
      | 70  |
      | 74  |

  @C169-BIO-162 @must @verify @EdDSA
  Scenario Outline: A biometric attribute written as one map may be read or refused (key <key>)
    Given a credential
    And its claim 169 is {"4": "Single Map Person", "<key>": {"0": {"bstr": "ffd8ffe0"}, "1": 0, "2": 1}}
    When the implementation decodes it
    Then either answer conforms

    Examples:
      | key |
      | 62  |
      | 50  |

  @C169-BIO-010 @must @verify @EdDSA
  Scenario Outline: An entry without its data may be refused, never given invented data (<name>)
    Given a credential
    And its claim 169 is {"4": "No Data Person", "62": [<entry>]}
    When the implementation decodes it
    Then either answer conforms

    Examples:
      | name        | entry            |
      | format only | {"1": 0, "2": 1} |
      | empty entry | {}               |

  @C169-BIO-011 @C169-BIO-014 @C169-BIO-015 @C169-BIO-016 @profile @verify @EdDSA
  Scenario Outline: A format or sub-format outside its table may be refused, never remapped (<name>)
    Given a credential
    And its claim 169 is {"4": "Out Of Range Person", "62": [<entry>]}
    When the implementation decodes it
    Then either answer conforms

    Examples:
      | name                  | entry                                   |
      | format 4              | {"0": {"bstr": "00"}, "1": 4}           |
      | format -1             | {"0": {"bstr": "00"}, "1": -1}          |
      | image sub-format 7    | {"0": {"bstr": "00"}, "1": 0, "2": 7}   |
      | image sub-format 99   | {"0": {"bstr": "00"}, "1": 0, "2": 99}  |
      | image sub-format 201  | {"0": {"bstr": "00"}, "1": 0, "2": 201} |
      | template sub-format 3 | {"0": {"bstr": "00"}, "1": 1, "2": 3}   |
      | sound sub-format 2    | {"0": {"bstr": "00"}, "1": 2, "2": 2}   |
      | sound sub-format 100  | {"0": {"bstr": "00"}, "1": 2, "2": 100} |

  @C169-BIO-010 @C169-BIO-011 @C169-BIO-013 @profile @verify @EdDSA
  Scenario Outline: An entry holding a value of the wrong type may be refused (<name>)
    Given a credential
    And its claim 169 is {"4": "Wrong Type Person", "62": [<entry>]}
    When the implementation decodes it
    Then either answer conforms

    Examples:
      | name             | entry                               |
      | data as text     | {"0": "ffd8", "1": 0}               |
      | format as text   | {"0": {"bstr": "00"}, "1": "Image"} |
      | issuer as number | {"0": {"bstr": "00"}, "3": 7}       |

  @C169-BIO-162 @must @verify @EdDSA
  Scenario Outline: A face attribute that is not an array of entries may be refused (<name>)
    Given a credential
    And its claim 169 is {"4": "Not Array Person", "62": <value>}
    When the implementation decodes it
    Then either answer conforms

    Examples:
      | name          | value    |
      | text          | "face"   |
      | integer       | 1        |
      | array of text | ["face"] |

  @C169-CLAIM-004 @must @verify @EdDSA
  Scenario Outline: A sub-key twice in one biometric entry is refused (sub-key <sub>)
    Given a credential
    And its claim 169 is {"4": "Duplicate Subkey Person", "62": [{"map": [[0, {"bstr": "00"}], [<sub>, 0], [<sub>, 1]]}]}
    When the implementation decodes it
    Then it is rejected at the claim169 stage

    Examples:
      | sub |
      | 0   |
      | 1   |
